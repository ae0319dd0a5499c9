"""Building blocks of a domain model: typed events, upcasters and the event-sourced aggregate.

Nothing here does I/O, so a service's ``domain/`` package can import it and stay pure
(``tests/unit/test_domain_purity.py`` checks the imports of every ``domain/`` package).

* A :class:`DomainEvent` is a frozen pydantic model with a stable ``TYPE`` name and an
  integer ``VERSION``; the type name is what the store keeps, never a Python class path.
* When an event's shape changes, its ``VERSION`` goes up and an *upcaster* turns the stored
  data of the previous version into the new shape (:func:`upcaster`). Upcasters run on
  read; stored events are never rewritten.
* An :class:`Aggregate` folds its events: methods decorated with :func:`applies` are picked
  by the event's class, so ``apply`` is a lookup, not an if/elif over type strings. The
  events an aggregate applies are its event catalogue (:attr:`Aggregate.event_types`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict

E = TypeVar("E", bound="DomainEvent")
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEvent(LookupError):
    """A stored event whose type or version this code cannot read."""


class DomainEvent(BaseModel):
    """A fact recorded by an aggregate. Subclasses set ``TYPE`` (and ``VERSION`` > 1 once
    their shape changed, with an upcaster from each older version)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    UPCASTERS: ClassVar[dict[int, Upcaster]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.UPCASTERS = {}

    @classmethod
    def from_stored(cls, version: int, data: Mapping[str, Any]) -> Self:
        """Read stored data written at ``version``, upcast step by step to ``VERSION``."""
        if version > cls.VERSION:
            raise UnknownEvent(f"{cls.TYPE} v{version} is newer than this code (v{cls.VERSION})")
        shaped = dict(data)
        for step in range(version, cls.VERSION):
            try:
                shaped = cls.UPCASTERS[step](shaped)
            except KeyError:
                raise UnknownEvent(f"no upcaster for {cls.TYPE} v{step} -> v{step + 1}") from None
        return cls.model_validate(shaped)

    def to_stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def upcaster(event: type[DomainEvent], from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register ``fn`` as the upcaster of ``event`` from ``from_version`` to the next one."""

    def register(fn: Upcaster) -> Upcaster:
        if from_version >= event.VERSION:
            raise ValueError(f"{event.TYPE} is at v{event.VERSION}: no upcast from {from_version}")
        event.UPCASTERS[from_version] = fn
        return fn

    return register


class EventTypes:
    """The event classes a stream may contain, by stored type name."""

    def __init__(self, classes: Sequence[type[DomainEvent]] = ()) -> None:
        self.by_type: dict[str, type[DomainEvent]] = {}
        for cls in classes:
            known = self.by_type.setdefault(cls.TYPE, cls)
            if known is not cls:
                raise ValueError(f"two event classes are named {cls.TYPE!r}")

    def read(self, type_name: str, version: int, data: Mapping[str, Any]) -> DomainEvent:
        try:
            cls = self.by_type[type_name]
        except KeyError:
            raise UnknownEvent(f"unknown event type {type_name!r}") from None
        return cls.from_stored(version, data)


def applies(event: type[E]) -> Callable[[Callable[[Any, E], None]], Callable[[Any, E], None]]:
    """Mark an aggregate method as the one that folds ``event`` into the state."""

    def mark(method: Callable[[Any, E], None]) -> Callable[[Any, E], None]:
        method._applies = event  # type: ignore[attr-defined]
        return method

    return mark


@dataclass(frozen=True)
class Recorded:
    """An event a command recorded and the stream version it takes."""

    event: DomainEvent
    version: int


class Aggregate:
    """Base of event-sourced aggregates: the state is the fold of the stream's events.

    A command checks its rules, then :meth:`record`\\ s events (each applied at once and kept
    in :attr:`pending`); the repository appends the pending events at :attr:`loaded_version`
    as one atomic commit. Snapshots (:meth:`snapshot` / :meth:`restore`) are plain JSON-ready
    state; bump ``SNAPSHOT_VERSION`` when the state's shape changes and older snapshots are
    ignored (the aggregate is folded from its events instead).
    """

    SNAPSHOT_VERSION: ClassVar[int] = 1
    event_types: ClassVar[EventTypes] = EventTypes()
    _appliers: ClassVar[dict[type[DomainEvent], Callable[[Any, Any], None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        appliers = dict(cls._appliers)
        for value in vars(cls).values():
            event = getattr(value, "_applies", None)
            if event is not None:
                appliers[event] = value
        cls._appliers = appliers
        cls.event_types = EventTypes(list(appliers))

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.tenant_id = ""  # every stream belongs to one tenant; set by its first event
        self.version = 0
        self.pending: list[Recorded] = []

    def apply(self, event: DomainEvent) -> None:
        try:
            method = self._appliers[type(event)]
        except KeyError:
            raise UnknownEvent(f"{type(self).__name__} does not apply {event.TYPE}") from None
        method(self, event)

    def record(self, event: DomainEvent) -> DomainEvent:
        self.apply(event)
        self.version += 1
        self.pending.append(Recorded(event, self.version))
        return event

    @property
    def loaded_version(self) -> int:
        """The version the aggregate had when loaded: the append's expected version."""
        return self.version - len(self.pending)

    @property
    def pending_events(self) -> list[DomainEvent]:
        return [r.event for r in self.pending]

    def mark_saved(self) -> None:
        self.pending = []

    @classmethod
    def from_events(cls, stream_id: str, events: Sequence[DomainEvent], version: int = 0) -> Self:
        """Fold ``events`` (the stream from ``version`` + 1 on) into a fresh aggregate."""
        aggregate = cls(stream_id)
        aggregate.version = version
        aggregate.fold(events)
        return aggregate

    def fold(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            self.apply(event)
            self.version += 1

    # --- snapshots ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The state as JSON-ready data. Override when attributes are not JSON-ready."""
        return {k: v for k, v in vars(self).items() if k not in ("stream_id", "version", "pending")}

    @classmethod
    def restore(cls, stream_id: str, version: int, state: Mapping[str, Any]) -> Self:
        aggregate = cls(stream_id)
        for key, value in state.items():
            setattr(aggregate, key, value)
        aggregate.version = version
        return aggregate
