"""Old stored event shapes load as the current ones (upcasters run on read)."""

from __future__ import annotations

from profiles.domain.erasure import redacted
from profiles.domain.events import (
    FieldVisibility,
    MemberJoined,
    MentorApplicationDecided,
    MentorApplicationSubmitted,
    ProfileEdited,
    ProgramCreated,
)
from profiles.domain.member import Member
from profiles.domain.program import Program

JOINED_V1 = {
    "tenant_id": "t1",
    "program_id": "p1",
    "user_id": "ada",
    "organization_id": "acme",
    "roles": ["mentee", "mentor"],
}
#: v1 kept visibility flat, a custom field as "custom.<key>"
EDITED_V1 = {
    "fields": {"display_name": "Ada", "bio": "about me"},
    "custom": {"track": "Data"},
    "visibility": {"bio": "private", "custom.track": "matches"},
    "changed": [],
}


def stored_member(*events: tuple[str, int, dict[str, object]]) -> Member:
    return Member.from_events("m1", [Member.event_types.read(t, v, d) for t, v, d in events])


def test_a_v1_profile_edit_with_flat_visibility_loads_as_v2() -> None:
    event = ProfileEdited.from_stored(1, EDITED_V1)
    assert event.visibility == FieldVisibility(
        fields={"bio": "private"}, custom={"track": "matches"}
    )
    member = stored_member(("MemberJoined", 1, JOINED_V1), ("ProfileEdited", 1, EDITED_V1))
    assert member.visibility == {"bio": "private", "custom.track": "matches"}
    assert member.visibility_of("custom.track") == "matches"
    assert "." not in "".join(event.to_stored()["visibility"]["custom"])  # no dotted keys


def test_the_earliest_member_joined_gets_explicit_defaults() -> None:
    event = MemberJoined.from_stored(1, JOINED_V1)
    assert (event.mentor_approved, event.via, event.at) == (False, "join", None)
    assert MemberJoined.from_stored(1, {**JOINED_V1, "via": "import"}).via == "import"
    member = stored_member(("MemberJoined", 1, JOINED_V1))
    assert member.active and member.joined_via == "join" and member.version == 1


def test_v1_application_events_load_without_the_fields_added_later() -> None:
    submitted = MentorApplicationSubmitted.from_stored(1, {"application_id": "m1.a1"})
    assert submitted.answers == {} and submitted.at is None
    decided = MentorApplicationDecided.from_stored(
        1, {"application_id": "m1.a1", "decision": "rejected"}
    )
    assert (decided.reason_code, decided.note, decided.decided_by) == (None, None, "")


def test_a_v1_program_created_without_a_time_loads() -> None:
    program = Program.from_events(
        "p1",
        [
            Program.event_types.read(
                "ProgramCreated",
                1,
                {
                    "tenant_id": "t1",
                    "organization_id": "acme",
                    "created_by": "boss",
                    "spec": {"name": "Pilot"},
                },
            )
        ],
    )
    assert program.exists and program.created_at is None and program.spec.name == "Pilot"  # type: ignore[union-attr]
    assert ProgramCreated.VERSION == 2


def test_redacted_events_load_at_every_stored_version() -> None:
    for version in (1, 2):
        event = ProfileEdited.from_stored(version, redacted("ProfileEdited", EDITED_V1) or {})
        assert event.redacted and event.fields == {}
    member = stored_member(
        ("MemberJoined", 1, JOINED_V1),
        ("ProfileEdited", 1, {"redacted": True}),
        ("MemberErased", 1, {"at": None}),
    )
    assert member.status == "erased" and member.profile == {}


def test_snapshots_round_trip() -> None:
    member = stored_member(("MemberJoined", 1, JOINED_V1), ("ProfileEdited", 1, EDITED_V1))
    again = Member.restore("m1", member.version, member.snapshot())
    assert again.visibility == member.visibility and again.profile == member.profile
    program = Program.from_events(
        "p1",
        [
            ProgramCreated(
                tenant_id="t1", organization_id="acme", created_by="b", at=None, spec={"name": "P"}
            )
        ],  # type: ignore[arg-type]
    )
    restored = Program.restore("p1", 1, program.snapshot())
    assert restored.spec == program.spec and restored.version == 1
