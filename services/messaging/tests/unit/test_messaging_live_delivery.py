"""The live path without I/O: a notice's entry goes to up-to-date sockets in order, each
message read once per replica; anything out of step falls back to reading the feed; a
lagging head hint is probed past."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from mentorship_contracts.events.messaging import LiveEntry, LiveNoticeV1
from messaging.adapters.feed import HINT_EVERY, probe_forward
from messaging.adapters.live import Hub
from messaging.entrypoints.stream import _send_offered

pytestmark = pytest.mark.asyncio


class Socket:
    """A listener as the hub sees one, recording what it was given."""

    def __init__(self) -> None:
        self.offers: list[tuple[int, dict[str, Any], dict[str, Any] | None]] = []
        self.wakes = 0
        self.frames: list[dict[str, Any]] = []

    def wake(self) -> None:
        self.wakes += 1

    def typing(self, conversation_id: str, user_id: str) -> None:
        pass

    def offer(self, position: int, entry: dict[str, Any], message: dict[str, Any] | None) -> None:
        self.offers.append((position, entry, message))

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


def notice(positions: list[int] | None, message_id: str = "c1.1") -> LiveNoticeV1:
    return LiveNoticeV1(
        tenant_id="t",
        conversation_id="c1",
        user_ids=["ana", "bo"],
        positions=positions,
        entry=LiveEntry(kind="message", conversation_id="c1", message_id=message_id),
    )


async def test_a_batch_reads_each_message_once_and_offers_each_member_its_position() -> None:
    reads: list[Sequence[str]] = []

    async def messages(ids: Sequence[str]) -> list[dict[str, Any] | None]:
        reads.append(list(ids))
        return [{"id": i, "body": f"text of {i}"} for i in ids]

    hub = Hub(messages=messages)
    ana, ana_tab, bo = Socket(), Socket(), Socket()
    hub.add("t", "ana", ana)
    hub.add("t", "ana", ana_tab)
    hub.add("t", "bo", bo)
    await hub.deliver_all([notice([4, 9]), notice([5, 10], "c1.2")])
    assert reads == [["c1.1", "c1.2"]]  # one read for the batch, not one per socket
    assert [(p, m and m["id"]) for p, _, m in ana.offers] == [(4, "c1.1"), (5, "c1.2")]
    assert ana_tab.offers == ana.offers
    assert [p for p, _, _ in bo.offers] == [9, 10]
    assert ana.wakes == bo.wakes == 0


async def test_without_positions_or_when_reading_fails_sockets_read_their_feeds() -> None:
    async def broken(ids: Sequence[str]) -> list[dict[str, Any] | None]:
        raise ConnectionError("database gone")

    hub = Hub(messages=broken)
    ana = Socket()
    hub.add("t", "ana", ana)
    await hub.deliver_all([notice([4, 9])])  # the message could not be read
    await hub.deliver_all([notice(None)])  # an older replica's notice: ids only
    assert ana.offers == [] and ana.wakes == 2


async def test_offered_entries_are_sent_in_order_and_a_hole_sends_the_socket_to_its_feed() -> None:
    entry = {"kind": "message", "conversation_id": "c1", "message_id": "c1.7"}
    socket = Socket()
    offered = [(8, entry, {"id": "c1.8"}), (6, entry, None), (7, entry, {"id": "c1.7"})]
    position, gap = await _send_offered(socket, 6, offered)  # type: ignore[arg-type]
    assert (position, gap) == (8, False)
    assert [f["position"] for f in socket.frames] == [7, 8]  # 6 was delivered already
    socket.frames.clear()
    position, gap = await _send_offered(socket, 8, [(10, entry, None)])  # type: ignore[arg-type]
    assert (position, gap) == (8, True) and socket.frames == []  # 9 missing: read the feed


@pytest.mark.parametrize("hint", [0, 3, 9])
async def test_the_head_is_found_past_a_lagging_hint(hint: int) -> None:
    stored = set(range(1, 10 + 2 * HINT_EVERY))
    reads = 0

    async def exists(n: int) -> bool:
        nonlocal reads
        reads += 1
        return n in stored

    assert await probe_forward(hint, exists) == max(stored)
    assert reads <= (max(stored) - hint) + HINT_EVERY + 1
