"""Mentor load from match-made / mentorship-ended, idempotent under duplicates."""

from __future__ import annotations

from typing import Any

import pytest
from test_profiles_support import ProfilesClient, profiles_fixture  # noqa: F401

from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from testkit.events import eventually, publish_payload

pytestmark = pytest.mark.infra


async def publish(
    profiles: ProfilesClient, payload: EventPayload, key: str, times: int = 1
) -> None:
    await publish_payload(profiles.app.state.runtime, payload, key, times=times)


def participant(member: dict[str, Any]) -> dict[str, str]:
    return {"member_id": member["member_id"], "user_id": member["user_id"]}


async def test_load_follows_matches_and_ignores_duplicates(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(modes="both"))["program_id"]
    mentor = await profiles.join(
        pid, "mentor", ["mentor"], location="Montreal", visibility={"location": "matches"}
    )
    mentees = [await profiles.join(pid, f"mentee{i}") for i in range(3)]

    async def load() -> int:
        r = await profiles.http.get(
            f"/v1/programs/{pid}/members/me", headers=profiles.auth("mentor")
        )
        return int(r.json()["current_load"])

    before = await profiles.http.get(
        f"/v1/programs/{pid}/members/{mentor['member_id']}", headers=profiles.auth("mentee0")
    )
    assert before.json()["viewer"] == "member" and "location" not in before.json()["profile"]

    one = MatchMadeV1(
        tenant_id=profiles.tenant,
        match_id="match-1",
        program_id=pid,
        mode="one_to_one",
        mentor=participant(mentor),
        mentees=[participant(mentees[0])],
        origin="request",
    )
    group = MatchMadeV1(
        tenant_id=profiles.tenant,
        match_id="match-2",
        program_id=pid,
        mode="group",
        mentor=participant(mentor),
        mentees=[participant(mentees[1]), participant(mentees[2])],
        origin="bulk_round",
    )
    await publish(profiles, one, "match-1", times=3)
    await publish(profiles, group, "match-2")
    await eventually(lambda: _equals(load, 3), timeout=60)

    seen = await profiles.http.get(
        f"/v1/programs/{pid}/members/{mentor['member_id']}", headers=profiles.auth("mentee0")
    )
    assert seen.json()["viewer"] == "matched" and seen.json()["profile"]["location"] == "Montreal"

    ended = MentorshipEndedV1(
        tenant_id=profiles.tenant,
        match_id="match-1",
        program_id=pid,
        mentor=participant(mentor),
        mentees=[participant(mentees[0])],
        reason="completed",
        ended_by="mentee",
    )
    await publish(profiles, ended, "match-1", times=2)
    await eventually(lambda: _equals(load, 2), timeout=60)
    after = await profiles.http.get(
        f"/v1/programs/{pid}/members/{mentor['member_id']}", headers=profiles.auth("mentee0")
    )
    assert "location" not in after.json()["profile"]


async def _equals(fn: Any, value: int) -> bool:
    return bool(await fn() == value)
