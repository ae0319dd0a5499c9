"""What the use cases need from the outside world (the adapters implement these)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chassis.domain import Aggregate
from chassis.eventstore import NewEvent, Publish, StoredEvent
from insights.domain.projection import Entries
from mentorship_contracts.events import EventPayload

A = TypeVar("A", bound=Aggregate)


class Buckets(Protocol):
    """The read model's buckets (see :mod:`insights.domain.projection`)."""

    async def update(self, bucket_id: str, change: Callable[[Entries], bool]) -> bool: ...

    async def read(self, bucket_id: str) -> Entries: ...

    async def read_many(self, bucket_ids: list[str]) -> list[Entries]: ...

    def version(self, bucket_id: str) -> tuple[int, int]:
        """Equal versions, equal entries (what a report part computed from it can rely on)."""
        ...

    async def all_programs(self) -> list[tuple[str, str]]: ...

    async def write_all(self, buckets: Mapping[str, Entries]) -> None: ...

    async def drop(self) -> None: ...


class Repository(Protocol[A]):
    async def load(self, stream_id: str) -> A: ...

    async def save(
        self, aggregate: A, *, messages: Sequence[Publish] = (), tenant_id: str | None = None
    ) -> list[StoredEvent]: ...


class Claims(Protocol):
    """Start a stream once: the first commit is the claim (ConcurrencyError otherwise)."""

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        tenant_id: str,
        messages: Sequence[Publish] = (),
    ) -> list[StoredEvent]: ...


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class ReplayedEvent(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def at(self) -> int: ...

    @property
    def payload(self) -> EventPayload: ...


class TopicReplay(Protocol):
    """Every event of the consumed topics from offset 0 up to where they end now."""

    def events(self) -> AsyncIterator[ReplayedEvent]: ...

    async def hand_over(self) -> None:
        """Make the service's consumers continue after what was replayed."""


Json = dict[str, Any]
