"""Mentor capacity under concurrency: parallel acceptances never exceed it, across replicas.

Two matching replicas share one database (as two pods of the service would); acceptances
of different mentees' requests to one mentor are fired at both at once. The mentor's desk
is one event stream appended with the expected version, so only ``capacity`` of them can
win; the others answer 409 and nothing of theirs is written.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest
from test_matching_support import (  # noqa: F401
    Matching,
    matching_fixture,
    matching_server,
    python_mentee,
    python_mentor,
)

from matching.application.book_changes import APPEND_CONFLICTS
from matching.bootstrap import create_app
from testkit.apps import serve_in_process

pytestmark = pytest.mark.infra

CAPACITY = 3
MENTEES = 8


async def _ask_all(matching: Matching) -> list[str]:
    await matching.program(default_capacity=1)
    await matching.member("ada", ["mentor"], **python_mentor(capacity=CAPACITY))
    names = [f"mentee{i}" for i in range(MENTEES)]
    for name in names:
        await matching.member(name, ["mentee"], **python_mentee())
    await matching.projected("ada", *names)
    await matching.program_projected()
    request_ids = []
    for name in names:
        asked = await matching.ask(name, "ada")
        assert asked.status_code == 201, asked.text
        request_ids.append(asked.json()["request_id"])
    return request_ids


async def test_parallel_acceptances_on_two_replicas_respect_capacity(
    matching: Matching,
) -> None:
    request_ids = await _ask_all(matching)
    # a second replica: same database, its own consumer group and in-process locks
    settings = matching.settings.model_copy(
        update={"consumer_group_prefix": f"replica2.{uuid.uuid4().hex[:6]}."}
    )
    replica = create_app(settings)
    async with serve_in_process(replica) as other:
        clients = [matching.http, other]
        conflicts_before = APPEND_CONFLICTS._value.get()
        headers = matching.auth("ada")
        responses = await asyncio.gather(
            *(
                clients[i % 2].post(f"/v1/requests/{rid}/accept", headers=headers)
                for i, rid in enumerate(request_ids)
            )
        )
    conflicts = APPEND_CONFLICTS._value.get() - conflicts_before
    print(f"optimistic-concurrency conflicts retried: {conflicts}")
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: CAPACITY, 409: MENTEES - CAPACITY}, [r.text for r in responses]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(r["title"] == "Mentor at capacity" for r in refused), refused

    made = await matching.wait_topic("match-made", lambda evs: len(evs) >= CAPACITY)
    await asyncio.sleep(2)  # anything extra would have arrived by now
    made = await matching.wait_topic("match-made", lambda evs: len(evs) >= CAPACITY)
    assert len(made) == CAPACITY
    assert len({e.data["mentees"][0]["member_id"] for e in made}) == CAPACITY

    # the refused requests are still open (nothing written for them); the mentor is full
    winners = {r.json()["request_id"] for r in responses if r.status_code == 200}
    for rid in request_ids:
        doc = await matching.http.get(f"/v1/requests/{rid}", headers=headers)
        assert doc.json()["status"] == ("accepted" if rid in winners else "open")
    card = await matching.http.get(
        f"/v1/programs/{matching.program_id}/mentors/m-ada", headers=matching.auth("mentee0")
    )
    assert card.json()["active_mentees"] == CAPACITY and card.json()["free_slots"] == 0
    desk = await matching.service.books.load(f"desk|{matching.tenant}|{matching.program_id}|m-ada")
    assert desk.active_one_to_one() == CAPACITY


async def test_a_full_mentor_leaves_the_recommendations_and_comes_back(
    matching: Matching,
) -> None:
    await matching.program()
    await matching.member("ada", ["mentor"], **python_mentor(capacity=1))
    await matching.member("sam", ["mentee"], **python_mentee())
    await matching.member("kim", ["mentee"], **python_mentee())
    await matching.wait_recommended("kim", lambda ids: ids == ["m-ada"])
    asked = await matching.ask("sam", "ada")
    accepted = await matching.act("ada", asked.json()["request_id"], "accept")
    assert accepted.status_code == 200, accepted.text
    # full: no longer recommended to anyone, and a new request is refused
    await matching.wait_recommended("kim", lambda ids: ids == [])
    refused = await matching.ask("kim", "ada")
    assert refused.status_code == 409 and refused.json()["title"] == "Mentor at capacity"
    ended = await matching.http.post(
        f"/v1/matches/{accepted.json()['match']['match_id']}/end",
        json={"reason": "completed"},
        headers=matching.auth("ada"),
    )
    assert ended.status_code == 200
    await matching.wait_recommended("kim", lambda ids: ids == ["m-ada"])


def _titles(responses: list[Any]) -> list[str]:
    return [r.json().get("title", "") for r in responses]
