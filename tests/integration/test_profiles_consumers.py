"""Profiles' typed consumers: a match-made whose payload names another tenant than its
envelope is dead-lettered with the reason and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from test_profiles_support import ProfilesClient, profiles_fixture  # noqa: F401

from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import DeadLetterHeaders
from testkit.events import eventually, publish_payload, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra


def participant(member: dict[str, Any]) -> dict[str, str]:
    return {"member_id": member["member_id"], "user_id": member["user_id"]}


async def test_a_match_of_another_tenant_is_dead_lettered(
    profiles: ProfilesClient, infra: Infra
) -> None:
    pid = (await profiles.create_program())["program_id"]
    mentor = await profiles.join(pid, "mentor", ["mentor"])
    mentee = await profiles.join(pid, "mentee")
    made = MatchMadeV1(
        tenant_id=profiles.tenant,
        match_id="match-x",
        program_id=pid,
        mode="one_to_one",
        mentor=participant(mentor),
        mentees=[participant(mentee)],
        origin="request",
    )
    # the payload names our tenant, the envelope another one
    forged = new_event(made, source="/tests", subject="match-x").model_copy(
        update={"tenantid": "another-tenant"}
    )
    runtime = profiles.app.state.runtime
    body, headers = to_kafka(forged)
    await runtime.broker.publish(
        body,
        runtime.settings.topic("match-made"),
        key=b"match-x",
        headers={k: v.decode() for k, v in headers},
    )

    async def dead_lettered() -> list[Any]:
        records = await read_topic(
            infra.kafka_bootstrap, runtime.settings.topic("match-made.dlq"), expect=999, timeout=2
        )
        return [r for r in records if dict(r.headers).get("ce_id", b"").decode() == forged.id]

    # parking is at least once: a rebalance between parking and the offset commit parks it
    # again, so every copy must name the reason, however many there are
    parked = await eventually(dead_lettered, timeout=60)
    reasons = {dict(record.headers)[DeadLetterHeaders.ERROR].decode() for record in parked}
    assert len(reasons) == 1 and "tenant" in next(iter(reasons)), reasons

    async def load() -> int:
        r = await profiles.http.get(
            f"/v1/programs/{pid}/members/me", headers=profiles.auth("mentor")
        )
        return int(r.json()["current_load"])

    assert await load() == 0
    seen = await profiles.http.get(
        f"/v1/programs/{pid}/members/{mentor['member_id']}", headers=profiles.auth("mentee")
    )
    assert seen.json()["viewer"] == "member"  # not matched
    # the same match with a consistent envelope is taken
    await publish_payload(runtime, made, "match-x")

    async def taken() -> bool:
        return await load() == 1

    await eventually(taken, timeout=60)
