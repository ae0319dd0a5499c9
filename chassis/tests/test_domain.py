"""Typed domain events, dispatch by type and upcasting (pure, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from chassis.domain import Aggregate, DomainEvent, EventTypes, UnknownEvent, applies, upcaster


class Opened(DomainEvent):
    TYPE = "Opened"
    owner: str


class Renamed(DomainEvent):
    """v2 split ``name`` into ``title`` + ``subtitle``; v1 events stay as they were stored."""

    TYPE = "Renamed"
    VERSION = 2
    title: str
    subtitle: str = ""


@upcaster(Renamed, from_version=1)
def _renamed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    title, _, subtitle = data["name"].partition(": ")
    return {"title": title, "subtitle": subtitle}


class Folder(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.owner = ""
        self.title = ""

    @applies(Opened)
    def _opened(self, event: Opened) -> None:
        self.owner = event.owner

    @applies(Renamed)
    def _renamed(self, event: Renamed) -> None:
        self.title = event.title

    def rename(self, title: str) -> None:
        if not title:
            raise ValueError("a title is needed")
        self.record(Renamed(title=title))


def test_record_applies_at_once_and_keeps_pending() -> None:
    folder = Folder("f1")
    folder.record(Opened(owner="ada"))
    folder.rename("Plans")
    assert (folder.owner, folder.title, folder.version, folder.loaded_version) == (
        "ada",
        "Plans",
        2,
        0,
    )
    assert [type(e) for e in folder.pending_events] == [Opened, Renamed]
    folder.mark_saved()
    assert folder.loaded_version == 2 and folder.pending == []


def test_the_catalogue_is_what_the_aggregate_applies() -> None:
    assert set(Folder.event_types.by_type) == {"Opened", "Renamed"}


def test_a_v1_stored_event_loads_as_v2() -> None:
    event = Folder.event_types.read("Renamed", 1, {"name": "Plans: 2027"})
    assert event == Renamed(title="Plans", subtitle="2027")
    folder = Folder.from_events("f1", [Opened(owner="ada"), event])
    assert folder.title == "Plans" and folder.version == 2


def test_current_version_needs_no_upcast() -> None:
    assert Renamed.from_stored(2, {"title": "A", "subtitle": "B"}) == Renamed(
        title="A", subtitle="B"
    )


def test_unknown_and_future_events_are_refused() -> None:
    with pytest.raises(UnknownEvent):
        Folder.event_types.read("Closed", 1, {})
    with pytest.raises(UnknownEvent):
        Renamed.from_stored(3, {"title": "x"})


def test_an_aggregate_refuses_an_event_it_does_not_apply() -> None:
    class Other(DomainEvent):
        TYPE = "Other"

    with pytest.raises(UnknownEvent):
        Folder("f").apply(Other())


def test_events_are_frozen_facts() -> None:
    event = Opened(owner="ada")
    with pytest.raises(ValueError):
        event.owner = "bob"  # type: ignore[misc]


def test_two_classes_with_one_type_name_are_refused() -> None:
    class Twin(DomainEvent):
        TYPE = "Opened"

    with pytest.raises(ValueError):
        EventTypes([Opened, Twin])


def test_snapshot_round_trip() -> None:
    folder = Folder("f1")
    folder.record(Opened(owner="ada"))
    restored = Folder.restore("f1", folder.version, folder.snapshot())
    assert (restored.owner, restored.version, restored.pending) == ("ada", 1, [])
