"""Domain rules of programs, members, profiles and mentor applications (pure, no I/O)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from chassis.errors import Conflict, InvalidInput, NotFound
from profiles import contracts_mapping
from profiles.application.access import program_facts
from profiles.domain.fields import CustomFieldDef, ProfileFields, utc_offset_minutes
from profiles.domain.member import Member, member_id_for, member_id_of_application
from profiles.domain.program import Program, ProgramSpec


def program(**spec: Any) -> Program:
    p = Program("p1")
    p.create(
        tenant_id="t1",
        organization_id="acme",
        created_by="admin",
        spec=ProgramSpec.model_validate({"name": "Pilot", **spec}),
    )
    return p


def member(prog: Program, roles: list[str] | None = None, **fields: Any) -> Member:
    m = Member(member_id_for("t1", prog.program_id, "ada"))
    m.join(
        prog,
        user_id="ada",
        organization_id="acme",
        roles=roles or ["mentee"],
        via="join",
        fields=ProfileFields.model_validate({"display_name": "Ada", **fields}),
    )
    return m


TRACK = {"key": "track", "label": "Track", "type": "single_choice", "options": ["Backend", "Data"]}


class TestProgramSpec:
    def test_formal_programs_need_dates_in_order(self) -> None:
        with pytest.raises(ValidationError, match="needs starts_on and ends_on"):
            ProgramSpec(name="x", kind="formal")
        with pytest.raises(ValidationError, match="ends_on is before starts_on"):
            ProgramSpec(
                name="x", kind="formal", starts_on=date(2025, 2, 1), ends_on=date(2025, 1, 1)
            )

    def test_both_modes_and_group_size_default(self) -> None:
        spec = ProgramSpec.model_validate({"name": "x", "modes": "both"})
        assert spec.modes == ["one_to_one", "group"] and spec.max_group_size == 10

    def test_weights_must_name_known_fields(self) -> None:
        with pytest.raises(ValidationError, match="unknown custom field 'custom:nope'"):
            ProgramSpec.model_validate({"name": "x", "matching_weights": {"custom:nope": 1}})
        with pytest.raises(ValidationError, match="neither a profile field"):
            ProgramSpec.model_validate({"name": "x", "matching_weights": {"shoe_size": 1}})
        ok = ProgramSpec.model_validate(
            {
                "name": "x",
                "custom_fields": [TRACK],
                "matching_weights": {"custom:track": 2, "skills": 5, "semantic": 1},
            }
        )
        assert ok.matching_weights["skills"] == 5
        assert ok.matching_weights["semantic"] == 1  # matching's embedding criterion

    def test_choice_fields_need_options(self) -> None:
        with pytest.raises(ValidationError, match="needs options"):
            CustomFieldDef(key="x", label="X", type="single_choice")

    def test_reconfigure_records_only_real_changes_and_refuses_type_changes(self) -> None:
        p = program(custom_fields=[TRACK])
        assert p.reconfigure({"name": "Pilot"}, has_members=False) == []
        assert p.reconfigure({"name": "Pilot 2"}, has_members=False) == ["name"]
        assert p.version == 2
        with pytest.raises(Conflict, match="type cannot change"):
            p.reconfigure(
                {"custom_fields": [{"key": "track", "label": "T", "type": "text"}]},
                has_members=False,
            )
        with pytest.raises(Conflict, match="requires_mentor_approval"):
            p.reconfigure({"requires_mentor_approval": False}, has_members=True)
        with pytest.raises(InvalidInput, match="unknown program setting"):
            p.reconfigure({"colour": "red"}, has_members=False)

    def test_program_changed_payload_carries_the_configuration(self) -> None:
        p = program(partner_organization_ids=["partner"], matching_weights={"skills": 3})
        [message] = contracts_mapping.program_messages(p)
        payload = message.payload
        assert payload.program_version == 1  # type: ignore[attr-defined]
        assert payload.partner_organization_ids == ["partner"]  # type: ignore[attr-defined]
        facts = program_facts(p)
        assert facts.admits("partner") and facts.admits("acme") and not facts.admits("other")


class TestProfileValues:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("timezone", "Mars/Olympus_Mons", "unknown time zone"),
            ("headline", "x" * 201, "at most 200 characters"),
            ("keywords", [f"k{i}" for i in range(31)], "at most 30 items"),
            ("years_experience", 81, "less than or equal to 80"),
            ("languages", ["english!"], "should match pattern"),
        ],
    )
    def test_bad_values_name_the_field(self, field: str, value: Any, message: str) -> None:
        with pytest.raises(ValidationError) as info:
            ProfileFields.model_validate({field: value})
        error = info.value.errors()[0]
        assert error["loc"][0] == field and message in str(info.value)

    def test_lists_are_deduplicated_case_insensitively(self) -> None:
        fields = ProfileFields(skills=["Python", "python", " Go "])
        assert fields.skills == ["Python", "Go"]

    def test_availability_slots_must_end_after_they_start(self) -> None:
        with pytest.raises(ValidationError, match="end must be after start"):
            ProfileFields.model_validate(
                {"availability": [{"day": "mon", "start": "10:00", "end": "09:00"}]}
            )

    def test_utc_offset_follows_the_zone(self) -> None:
        from datetime import UTC, datetime

        assert utc_offset_minutes("Asia/Kolkata") == 330
        summer = datetime(2025, 7, 1, tzinfo=UTC)
        assert utc_offset_minutes("America/New_York", summer) == -240


class TestCustomFields:
    @pytest.mark.parametrize(
        ("definition", "value", "expected"),
        [
            ({"type": "text", "max_length": 5}, " hi ", "hi"),
            ({"type": "number", "min_value": 0}, "3.5", 3.5),
            ({"type": "single_choice", "options": ["Backend", "Data"]}, "data", "Data"),
            ({"type": "multi_choice", "options": ["A", "B"]}, "a; B", ["A", "B"]),
        ],
    )
    def test_values_are_normalised(
        self, definition: dict[str, Any], value: Any, expected: Any
    ) -> None:
        assert CustomFieldDef(key="k", label="K", **definition).coerce(value) == expected

    @pytest.mark.parametrize(
        ("definition", "value", "message"),
        [
            ({"type": "text", "max_length": 5}, "toolong", "longer than 5"),
            ({"type": "text"}, 12, "must be text"),
            ({"type": "number"}, "many", "must be a number"),
            ({"type": "number"}, True, "must be a number"),
            ({"type": "number", "max_value": 10}, 11, "at most 10"),
            ({"type": "single_choice", "options": ["A"]}, "B", "must be one of: A"),
            ({"type": "multi_choice", "options": ["A"]}, ["A", "Z"], "'Z' not among"),
        ],
    )
    def test_wrong_values_are_refused(
        self, definition: dict[str, Any], value: Any, message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message) as info:
            CustomFieldDef(key="k", label="K", **definition).coerce(value)
        assert info.value.field == "custom_fields.k"


class TestMember:
    def test_join_records_joined_and_profile(self) -> None:
        m = member(program(), ["mentor"], skills=["Go"])
        assert [e.TYPE for e in m.pending_events] == ["MemberJoined", "ProfileEdited"]
        assert m.version == 2 and m.mentor_approved is False  # approval required by default
        messages = contracts_mapping.member_messages(m, program())
        assert [message.payload.TOPIC for message in messages] == [
            "member-joined",
            "profile-changed",
        ]

    def test_joining_twice_conflicts_and_admin_role_is_not_self_assigned(self) -> None:
        p = program()
        m = member(p)
        with pytest.raises(Conflict, match="already a member"):
            m.join(
                p,
                user_id="ada",
                organization_id="acme",
                roles=["mentee"],
                via="join",
                fields=ProfileFields(display_name="Ada"),
            )
        fresh = Member("m2")
        with pytest.raises(InvalidInput, match="role 'admin' is not allowed"):
            fresh.join(
                p,
                user_id="x",
                organization_id="acme",
                roles=["admin"],
                via="join",
                fields=ProfileFields(display_name="X"),
            )

    def test_archived_or_ended_programs_admit_nobody(self) -> None:
        p = program(kind="formal", starts_on=date(2020, 1, 1), ends_on=date(2020, 6, 1))
        with pytest.raises(Conflict, match="ended on 2020-06-01"):
            member(p)

    def test_edit_rejects_unknown_and_unused_fields_and_records_changes_only(self) -> None:
        p = program(custom_fields=[TRACK], profile_fields=["headline", "skills"])
        m = member(p)
        m.mark_saved()
        with pytest.raises(InvalidInput, match="unknown custom field 'shoe'") as info:
            m.edit_profile(p, ProfileFields(), {"shoe": 42}, {})
        assert info.value.field == "custom_fields.shoe"
        with pytest.raises(InvalidInput, match="'bio' is not a profile field"):
            m.edit_profile(p, ProfileFields(bio="x"), {}, {})
        with pytest.raises(InvalidInput, match="must be one of"):
            m.edit_profile(p, ProfileFields(), {"track": 3}, {})
        assert m.pending == []  # refused edits record nothing
        assert m.edit_profile(p, ProfileFields(headline="Hi"), {"track": "data"}, {}) == [
            "headline",
            "custom:track",
        ]
        assert m.edit_profile(p, ProfileFields(headline="Hi"), {}, {}) == []
        assert len(m.pending) == 1

    def test_required_custom_fields(self) -> None:
        p = program(custom_fields=[{**TRACK, "required": True}])
        with pytest.raises(InvalidInput, match="'track' is required"):
            member(p)
        m = Member("m")
        m.join(
            p,
            user_id="u",
            organization_id="acme",
            roles=["mentee"],
            via="join",
            fields=ProfileFields(display_name="U"),
            custom={"track": "Data"},
        )
        with pytest.raises(InvalidInput, match="'track' is required"):
            m.edit_profile(p, ProfileFields(), {"track": None}, {})

    def test_visibility_decides_who_sees_what(self) -> None:
        p = program()
        m = member(p, bio="secret", headline="public", location="Lyon")
        m.edit_profile(p, ProfileFields(), {}, {"bio": "private", "location": "matches"})
        assert "bio" not in m.fields_for("member", p) and "location" not in m.fields_for(
            "member", p
        )
        assert m.fields_for("matched", p)["location"] == "Lyon"
        assert "bio" not in m.fields_for("matched", p)
        assert m.fields_for("self", p)["bio"] == "secret"
        snapshot = m.profile_snapshot(p)
        assert "bio" not in snapshot and snapshot["headline"] == "public"
        with pytest.raises(InvalidInput, match="always visible"):
            m.edit_profile(p, ProfileFields(), {}, {"display_name": "private"})

    def test_application_approval_makes_a_visible_mentor(self) -> None:
        p = program(mentor_questions=[{"key": "why", "text": "Why mentor?"}])
        m = member(p)
        with pytest.raises(InvalidInput, match="'why' needs an answer"):
            m.submit_application(p, {})
        with pytest.raises(InvalidInput, match="unknown question"):
            m.submit_application(p, {"why": "x", "extra": "y"})
        app_id = m.submit_application(p, {"why": "To give back"})
        assert member_id_of_application(app_id) == m.member_id
        with pytest.raises(Conflict, match="already have an application"):
            m.submit_application(p, {"why": "again"})
        with pytest.raises(InvalidInput, match="needs a reason_code"):
            m.decide_application(
                app_id, decision="rejected", reason_code=None, note=None, decided_by="boss"
            )
        m.mark_saved()
        m.decide_application(
            app_id, decision="approved", reason_code=None, note="welcome", decided_by="boss"
        )
        assert m.mentor_approved and m.roles == ["mentee", "mentor"]
        messages = contracts_mapping.member_messages(m, p)
        topics = [message.payload.TOPIC for message in messages]
        assert topics == ["mentor-application-decided", "profile-changed"]
        changed = messages[-1].payload
        assert changed.mentor_approved is True and "mentor_approved" in changed.changed_fields
        with pytest.raises(Conflict, match="already approved"):
            m.decide_application(
                app_id, decision="rejected", reason_code="other", note=None, decided_by="boss"
            )

    def test_erasure_is_a_tombstone_and_rejoining_starts_afresh(self) -> None:
        p = program()
        m = member(p, bio="about me")
        m.mark_saved()
        m.erase()
        [message] = contracts_mapping.member_messages(m, p)
        payload = message.payload
        assert payload.erased is True and payload.snapshot is None
        assert m.profile == {} and not m.active
        m.erase()  # idempotent
        assert len(m.pending) == 1
        m.join(
            p,
            user_id="ada",
            organization_id="acme",
            roles=["mentee"],
            via="join",
            fields=ProfileFields(display_name="Ada again"),
        )
        assert m.active and m.profile["display_name"] == "Ada again"

    def test_redacted_history_folds_to_the_same_erased_state(self) -> None:
        p = program()
        m = member(p, bio="about me")
        m.erase()
        replay = Member(m.member_id)
        for e in m.pending_events:
            data = {"redacted": True} if e.TYPE == "ProfileEdited" else e.to_stored()
            replay.apply(Member.event_types.read(e.TYPE, e.VERSION, data))
        assert replay.status == "erased" and replay.profile == {}

    def test_application_ids_name_their_member(self) -> None:
        with pytest.raises(NotFound):
            member_id_of_application("garbage")


class TestMatchableSnapshot:
    def test_a_mentor_who_never_said_not_now_is_accepting(self) -> None:
        prog = program()
        assert member(prog, roles=["mentor"]).profile_snapshot(prog)["accepting_mentees"] is True
        assert member(prog, roles=["mentee"]).profile_snapshot(prog)["accepting_mentees"] is False

    def test_a_mentor_who_said_not_now_is_not_accepting(self) -> None:
        prog = program()
        busy = member(prog, roles=["mentor"], accepting_mentees=False)
        assert busy.profile_snapshot(prog)["accepting_mentees"] is False
        busy.edit_profile(prog, ProfileFields(accepting_mentees=True), {}, {})
        assert busy.profile_snapshot(prog)["accepting_mentees"] is True
