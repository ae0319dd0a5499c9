"""The use cases against in-memory fakes of their ports (no database, no Kafka)."""

from __future__ import annotations

from typing import Any

import pytest
from profiles_fakes import ADMIN, World, principal

from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from profiles.application.applications import ApplyAsMentor, DecideApplication, ReadApplication
from profiles.application.importing import ImportMembers
from profiles.application.imports import parse_json_rows
from profiles.application.joining import InviteMember, JoinProgram
from profiles.application.members import ChangeRoles, EditProfile, ListMembers, ViewMember
from profiles.application.ports import SearchFilters
from profiles.application.privacy import (
    EraseEverything,
    EraseMember,
    EraseMembership,
    ExportMyData,
)
from profiles.application.programs import ChangeProgram, CreateProgram
from profiles.application.search import SearchMembers
from profiles.domain.fields import ProfileFields
from profiles.domain.program import ProgramSpec

TRACK = {"key": "track", "label": "Track", "type": "single_choice", "options": ["Backend", "Data"]}


@pytest.fixture
def world() -> World:
    return World()


async def new_program(world: World, **spec: Any) -> str:
    body = {"name": "Pilot", "requires_mentor_approval": False, "custom_fields": [TRACK], **spec}
    program = await CreateProgram(world.save)(ADMIN, ProgramSpec.model_validate(body))
    return program.program_id


async def join(world: World, pid: str, user: str, roles: list[str] | None = None, **kw: Any) -> str:
    member, _ = await JoinProgram(world.access, world.save)(
        principal(user),
        pid,
        roles=roles or ["mentee"],
        fields=ProfileFields.model_validate(kw.pop("fields", {})),
        custom=kw.pop("custom", {}),
        visibility=kw.pop("visibility", {}),
    )
    return member.member_id


async def test_only_org_admins_create_programs_and_each_change_is_published(
    world: World,
) -> None:
    with pytest.raises(Forbidden):
        await CreateProgram(world.save)(principal("ada"), ProgramSpec(name="x"))
    pid = await new_program(world)
    change = ChangeProgram(world.access, world.read_models, world.save)
    await change(ADMIN, pid, {"name": "Pilot 2"}, if_match=1)
    assert world.programs.topics(pid) == ["program-changed", "program-changed"]
    with pytest.raises(PreconditionFailed):
        await change(ADMIN, pid, {"name": "Pilot 3"}, if_match=1)
    with pytest.raises(InvalidInput) as info:
        await change(ADMIN, pid, {"default_capacity": 0}, if_match=None)
    assert info.value.field == "default_capacity"
    with pytest.raises(Forbidden):
        await change(principal("ada"), pid, {"name": "mine"}, if_match=None)
    await change(ADMIN, pid, {"custom_fields": []}, if_match=None)
    assert world.projection.reindexed == [pid]  # members' views change with the fields


async def test_joining_with_a_hidden_custom_field_stores_no_dotted_key(world: World) -> None:
    pid = await new_program(world)
    ada = await join(
        world,
        pid,
        "ada",
        fields={"display_name": "Ada"},
        custom={"track": "backend"},
        visibility={"custom.track": "private"},
    )
    [_, (_, version, edited)] = world.members.streams[ada]
    assert version == 2 and edited["visibility"] == {"fields": {}, "custom": {"track": "private"}}
    assert world.members.topics(ada) == ["member-joined", "profile-changed"]
    await join(world, pid, "bob")
    view = ViewMember(world.access, world.loads)
    member, program, viewer, _ = await view(principal("bob"), pid, ada)
    assert viewer == "member" and member.fields_for(viewer, program)["custom_fields"] == {}
    me, _, _, _ = await view(principal("ada"), pid, ada)
    assert me.visibility == {"custom.track": "private"}
    assert me.fields_for("self", program)["custom_fields"] == {"track": "Backend"}


async def test_a_refused_or_lost_join_stores_nothing(world: World) -> None:
    pid = await new_program(world)
    with pytest.raises(InvalidInput) as info:
        await join(world, pid, "ada", visibility={"custom.shoe": "private"})
    assert info.value.field == "visibility.custom.shoe"
    assert world.members.streams == {}
    world.members.conflict_next = True  # someone joined as ada at the same moment
    with pytest.raises(Conflict, match="already a member"):
        await join(world, pid, "ada")
    await join(world, pid, "ada")
    with pytest.raises(Conflict, match="already a member"):
        await join(world, pid, "ada")


async def test_other_organisations_and_tenants_do_not_see_the_program(world: World) -> None:
    pid = await new_program(world, partner_organization_ids=["partner"])
    joiner = JoinProgram(world.access, world.save)
    for stranger in (principal("eve", org="other"), principal("eve", tenant="t2")):
        with pytest.raises(NotFound):
            await joiner(
                stranger, pid, roles=["mentee"], fields=ProfileFields(), custom={}, visibility={}
            )
    await join(world, pid, "pat")  # org acme; a partner's member joins as well
    await joiner(
        principal("pia", org="partner"),
        pid,
        roles=["mentee"],
        fields=ProfileFields(),
        custom={},
        visibility={},
    )
    assert len(world.members.streams) == 2


async def test_edits_need_the_current_version(world: World) -> None:
    pid = await new_program(world)
    await join(world, pid, "ada")
    edit = EditProfile(world.access, world.save, world.loads)
    args: dict[str, Any] = {"custom": {}, "visibility": {}}
    with pytest.raises(PreconditionFailed):
        await edit(principal("ada"), pid, if_match=1, fields=ProfileFields(headline="x"), **args)
    member, _, _ = await edit(
        principal("ada"), pid, if_match=2, fields=ProfileFields(headline="Hi"), **args
    )
    assert member.version == 3 and member.profile["headline"] == "Hi"
    with pytest.raises(NotFound):
        await edit(principal("bob"), pid, if_match=0, fields=ProfileFields(), **args)


async def test_a_pending_mentor_is_hidden_until_approved(world: World) -> None:
    pid = await new_program(
        world, requires_mentor_approval=True, mentor_questions=[{"key": "why", "text": "Why?"}]
    )
    mia = await join(world, pid, "mia", ["mentor"])
    await join(world, pid, "max")
    view = ViewMember(world.access, world.loads)
    with pytest.raises(NotFound):
        await view(principal("max"), pid, mia)
    _, _, viewer, _ = await view(ADMIN, pid, mia)
    assert viewer == "admin"
    world.loads.matches.append((mia, await join(world, pid, "mo")))
    _, _, viewer, load = await view(principal("mo"), pid, mia)
    assert viewer == "matched" and load == 1

    member, app_id = await ApplyAsMentor(world.access, world.save)(
        principal("mia"), pid, {"why": "to give back"}
    )
    decide = DecideApplication(world.access, world.save)
    with pytest.raises(Forbidden):
        await decide(principal("max"), pid, app_id, decision="approved", reason_code=None, note="")
    await decide(ADMIN, pid, app_id, decision="approved", reason_code=None, note="welcome")
    member, _, viewer, _ = await view(principal("max"), pid, mia)
    assert viewer == "member" and member.mentor_approved
    assert world.members.topics(mia)[-2:] == ["mentor-application-decided", "profile-changed"]
    read = ReadApplication(world.access)
    _, app = await read(principal("mia"), pid, app_id)
    assert app["answers"] == {"why": "to give back"} and app["state"] == "approved"
    with pytest.raises(Forbidden):
        await read(principal("max"), pid, app_id)


async def test_admins_invite_change_roles_and_list(world: World) -> None:
    pid = await new_program(world)
    invite = InviteMember(world.access, world.save)
    args: dict[str, Any] = {"fields": ProfileFields(display_name="Val"), "custom": {}}
    with pytest.raises(Forbidden):
        await invite(
            principal("ada"), pid, user_id="val", organization_id=None, roles=["mentee"], **args
        )
    with pytest.raises(InvalidInput):
        await invite(ADMIN, pid, user_id="val", organization_id="other", roles=["admin"], **args)
    val, _ = await invite(ADMIN, pid, user_id="val", organization_id=None, roles=["admin"], **args)
    roles = ChangeRoles(world.access, world.save)
    member, _ = await roles(ADMIN, pid, val.member_id, ["mentee", "mentor"], if_match=2)
    assert member.roles == ["mentee", "mentor"] and member.mentor_approved  # no approval needed
    with pytest.raises(Forbidden):  # val is no program admin any more
        await roles(principal("val"), pid, val.member_id, ["admin"], if_match=None)
    items, _ = await ListMembers(world.access, world.read_models)(
        ADMIN, pid, role=None, application_state=None, cursor=None, limit=10
    )
    assert [d["user_id"] for d in items] == ["val"]


async def test_import_reports_each_row_and_skips_existing_members(world: World) -> None:
    pid = await new_program(world)
    await join(world, pid, "ada")
    rows = parse_json_rows(
        {
            "members": [
                {"user_id": "ada", "display_name": "Ada"},
                {"user_id": "bo", "display_name": "Bo", "custom_fields": {"track": "data"}},
                {"user_id": "bo", "display_name": "Bo again"},
                {"user_id": "cy", "display_name": "Cy", "custom_fields": {"track": "nope"}},
            ]
        }
    )
    importer = ImportMembers(world.access, world.members, world.projection)
    dry = await importer(ADMIN, pid, rows, dry_run=True)
    assert dry["created"] == 0 and len(world.members.streams) == 1
    rows = parse_json_rows(
        {
            "members": [
                {"user_id": "ada", "display_name": "A"},
                {"user_id": "bo", "display_name": "Bo"},
            ]
        }
    )
    report = await importer(ADMIN, pid, rows, dry_run=False)
    assert report["created"] == 1 and report["rejected"] == 1
    assert [r["status"] for r in report["rows"]] == ["rejected", "created"]
    assert report["rows"][0]["errors"][0]["message"] == "already a member of this program"
    assert "bo" in {d["user_id"] for d in world.read_models.members.values()}
    statuses = [r["status"] for r in dry["rows"]]
    assert statuses == ["valid", "valid", "rejected", "rejected"]


async def test_search_checks_custom_filters_and_shows_partners_matched_views(
    world: World,
) -> None:
    pid = await new_program(world)
    ada = await join(
        world,
        pid,
        "ada",
        ["mentor"],
        fields={"location": "Lyon"},
        visibility={"location": "matches"},
    )
    bob = await join(world, pid, "bob")
    world.loads.matches.append((ada, bob))
    world.index.hits = [(ada, 1.5)]
    search = SearchMembers(world.access, world.index, world.read_models, world.loads)
    with pytest.raises(InvalidInput):
        await search(
            principal("bob"),
            pid,
            None,
            SearchFilters(custom=[("shoe", "42")]),
            limit=5,
            cursor=None,
        )
    page = await search(
        principal("bob"),
        pid,
        "x",
        SearchFilters(custom=[("track", " backend ")]),
        limit=5,
        cursor=None,
    )
    assert world.index.last_filters is not None
    assert list(world.index.last_filters.custom) == [("track", "backend")]
    assert world.index.last_filters.admin_view is False
    assert page["results"][0]["profile"]["location"] == "Lyon"  # matched: sees "matches"
    with pytest.raises(Forbidden):
        await search(principal("zed"), pid, None, SearchFilters(), limit=5, cursor=None)
    with pytest.raises(Forbidden, match="only admins of this program can list unapproved"):
        await search(
            principal("bob"), pid, None, SearchFilters(approved=False), limit=5, cursor=None
        )
    await search(ADMIN, pid, None, SearchFilters(approved=False), limit=5, cursor=None)
    assert world.index.last_filters.admin_view is True


async def test_export_then_erase_everything(world: World) -> None:
    one, two = await new_program(world), await new_program(world)
    m1 = await join(world, one, "zoe", fields={"bio": "my story"})
    await join(world, two, "zoe")
    export = ExportMyData(
        world.members, world.read_models, world.projection, world.history, world.loads
    )
    data = await export(principal("zoe"))
    assert {m["program_id"] for m in data["memberships"]} == {one, two}
    first = next(m for m in data["memberships"] if m["member_id"] == m1)
    assert first["profile"]["bio"] == "my story"
    assert [h["type"] for h in first["history"]] == ["MemberJoined", "ProfileEdited"]

    erase = EraseMember(world.save, world.erasure)
    erased = await EraseEverything(
        world.access, world.read_models, world.projection, erase, world.erasure
    )(principal("zoe"))
    assert len(erased) == 2 and sorted(world.erasure.redacted) == sorted(erased)
    assert world.erasure.forgotten == [("t1", "zoe")]
    tombstone = world.members.messages[m1][-1].payload
    assert tombstone.erased is True and tombstone.snapshot is None  # type: ignore[attr-defined]
    member = await EraseMembership(world.access, erase)(principal("zoe"), one)  # idempotent
    assert member.status == "erased" and len(world.members.streams[m1]) == 3
