"""Use cases of the profiles service.

Each command loads its aggregate from the event store, runs the domain rule, appends the
recorded events (with the integration events they publish) at the loaded version, then
hands the new state to the projector. The event store's unique (stream, version) index
is the only lock: a concurrent writer gets 409/412 and nothing of its batch is stored.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from chassis.auth import Principal
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from chassis.eventstore import ConcurrencyError, EventStore
from chassis.idempotency import IdempotencyStore
from profiles import translation
from profiles.adapters.aggregates import Aggregates
from profiles.adapters.loads import MentorLoads
from profiles.adapters.projector import Projector
from profiles.adapters.readmodels import ReadModels
from profiles.adapters.search_index import ProfileIndex, SearchFilters
from profiles.application.imports import ImportRow
from profiles.domain.fields import ProfileFields
from profiles.domain.member import (
    Member,
    Viewer,
    member_id_for,
    member_id_of_application,
)
from profiles.domain.program import Program, ProgramSpec

log = logging.getLogger("profiles.service")

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")
IMPORT_BATCH = 1000


def _check_id(value: str, what: str) -> None:
    if not value or len(value) > 128 or not set(value) <= _ID_CHARS:
        raise NotFound(f"{what} not found")


def new_program_id() -> str:
    return "p" + uuid.uuid4().hex


@dataclass
class ProfilesService:
    events: EventStore
    read_models: ReadModels
    index: ProfileIndex
    projector: Projector
    loads: MentorLoads
    idempotency: IdempotencyStore
    aggregates: Aggregates

    # --- loading and access ---------------------------------------------------------------

    async def _program(self, program_id: str) -> Program:
        _check_id(program_id, "program")
        return await self.aggregates.load(Program, program_id)

    async def program_for(self, principal: Principal, program_id: str) -> Program:
        """The program if the caller's tenant owns it and their organization may see it."""
        program = await self._program(program_id)
        if not program.exists or program.tenant_id != principal.tenant_id:
            raise NotFound("program not found")  # another tenant's ids do not leak
        if not program.admits(principal.organization_id):
            member = await self._member(program, principal.user_id)
            if not member.active:
                raise NotFound("program not found")
        return program

    async def _member(self, program: Program, user_id: str) -> Member:
        member_id = member_id_for(program.tenant_id, program.program_id, user_id)
        return await self.aggregates.load(Member, member_id)

    async def _member_by_id(self, program: Program, member_id: str) -> Member:
        _check_id(member_id, "member")
        member = await self.aggregates.load(Member, member_id)
        if member.status == "none" or member.program_id != program.program_id:
            raise NotFound("member not found")
        return member

    def _is_admin(self, program: Program, principal: Principal, me: Member | None) -> bool:
        if program.is_admin_principal(
            organization_id=principal.organization_id, roles=principal.roles
        ):
            return True
        return me is not None and me.active and "admin" in me.roles

    async def _require_admin(self, program: Program, principal: Principal, action: str) -> None:
        me = await self._member(program, principal.user_id)
        if not self._is_admin(program, principal, me):
            raise Forbidden(f"only admins of this program may {action}")

    async def _require_member_or_admin(
        self, program: Program, principal: Principal
    ) -> tuple[Member, bool]:
        me = await self._member(program, principal.user_id)
        admin = self._is_admin(program, principal, me)
        if not me.active and not admin:
            raise Forbidden("join this program first: only its members see its profiles")
        return me, admin

    # --- saving ----------------------------------------------------------------------------

    async def _save_program(self, program: Program, *, reindex_members: bool = False) -> None:
        if not program.pending:
            return
        try:
            await self.events.append(
                program.program_id,
                program.loaded_version,
                translation.program_events(program),
                tenant_id=program.tenant_id,
            )
        except ConcurrencyError as exc:
            await self.aggregates.load_from_events(Program, program.program_id)
            raise PreconditionFailed(
                "the program changed meanwhile; reload it and apply your change again"
            ) from exc
        program.pending.clear()
        await self._project(
            self.projector.project_program(program, reindex_members=reindex_members)
        )

    async def _save_member(
        self, member: Member, program: Program, *, conflict: str | None = None
    ) -> None:
        if not member.pending:
            return
        try:
            await self.events.append(
                member.member_id,
                member.loaded_version,
                translation.member_events(member, program),
                tenant_id=member.tenant_id,
            )
        except ConcurrencyError as exc:
            await self.aggregates.load_from_events(Member, member.member_id)
            if conflict is not None:
                raise Conflict(conflict) from exc
            raise PreconditionFailed(
                "the profile changed meanwhile; reload it (GET) and retry with the new ETag"
            ) from exc
        member.pending.clear()
        await self._project(self.projector.project_member(member, program))

    async def _project(self, projection: Any) -> None:
        try:
            await projection
        except Exception:  # the append stands; the projector's tail repairs the read model
            log.exception("fast-path projection failed (the projector will catch up)")

    # --- programs --------------------------------------------------------------------------

    async def create_program(self, principal: Principal, spec: ProgramSpec) -> Program:
        if "org_admin" not in principal.roles:
            raise Forbidden("only an organization admin (role org_admin) creates programs")
        program = Program(new_program_id())
        program.create(
            tenant_id=principal.tenant_id,
            organization_id=principal.organization_id,
            created_by=principal.user_id,
            spec=spec,
        )
        await self._save_program(program)
        return program

    async def update_program(
        self, principal: Principal, program_id: str, changes: dict[str, Any], if_match: int | None
    ) -> Program:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "change its settings")
        check_if_match(if_match, program.version)
        try:
            changed = program.reconfigure(
                changes, has_members=await self.read_models.has_members(program_id)
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        reindex = bool({"profile_fields", "custom_fields"} & set(changed))
        await self._save_program(program, reindex_members=reindex)
        return program

    async def list_programs(
        self, principal: Principal, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        return await self.read_models.list_programs(
            principal.tenant_id,
            principal.organization_id,
            include_all=False,
            cursor=cursor,
            limit=limit,
        )

    # --- joining ---------------------------------------------------------------------------

    async def join(
        self,
        principal: Principal,
        program_id: str,
        *,
        roles: list[str],
        fields: ProfileFields,
        custom: dict[str, Any],
        visibility: dict[str, str],
    ) -> tuple[Member, Program]:
        program = await self._program(program_id)
        if not program.exists or program.tenant_id != principal.tenant_id:
            raise NotFound("program not found")
        if not program.admits(principal.organization_id):
            raise NotFound("program not found")  # not a partner: the program is not theirs
        member = await self._member(program, principal.user_id)
        member.join(
            program,
            user_id=principal.user_id,
            organization_id=principal.organization_id,
            roles=roles,
            via="join",
            fields=fields,
            custom=custom,
            visibility=visibility,
            default_display_name=principal.name,
        )
        await self._save_member(member, program, conflict="already a member of this program")
        return member, program

    async def invite(
        self,
        principal: Principal,
        program_id: str,
        *,
        user_id: str,
        organization_id: str | None,
        roles: list[str],
        fields: ProfileFields,
        custom: dict[str, Any],
    ) -> tuple[Member, Program]:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "invite members")
        org = organization_id or program.organization_id
        if not program.admits(org):
            raise InvalidInput(
                f"organization {org!r} is not a partner of this program",
                field="organization_id",
            )
        member = await self._member(program, user_id)
        member.join(
            program,
            user_id=user_id,
            organization_id=org,
            roles=roles,
            via="invite",
            fields=fields,
            custom=custom,
        )
        await self._save_member(member, program, conflict="already a member of this program")
        return member, program

    async def import_members(
        self, principal: Principal, program_id: str, rows: list[ImportRow], *, dry_run: bool
    ) -> dict[str, Any]:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "import members")
        program.check_open_for_joining()
        seen: dict[str, int] = {}
        ready: list[tuple[ImportRow, Member]] = []
        for row in rows:
            if row.user_id is not None and not row.errors:
                if row.user_id in seen:
                    row.reject("user_id", f"duplicate of row {seen[row.user_id]}")
                else:
                    seen[row.user_id] = row.number
            if row.errors:
                continue
            org = row.organization_id or program.organization_id
            if not program.admits(org):
                row.reject("organization_id", f"organization {org!r} is not a partner")
                continue
            assert row.user_id is not None
            member = Member(member_id_for(program.tenant_id, program.program_id, row.user_id))
            try:
                member.join(
                    program,
                    user_id=row.user_id,
                    organization_id=org,
                    roles=row.roles,
                    via="import",
                    fields=row.fields,
                    custom=row.custom,
                )
            except (InvalidInput, Conflict) as exc:
                row.reject(exc.field or "row", exc.detail)
                continue
            ready.append((row, member))
        created: dict[int, str] = {}
        if not dry_run:
            created = await self._append_new_members(program, ready)
        report_rows = []
        for row in rows:
            if row.errors:
                report_rows.append(
                    {
                        "row": row.number,
                        "user_id": row.user_id,
                        "status": "rejected",
                        "errors": row.errors,
                    }
                )
            elif dry_run:
                report_rows.append({"row": row.number, "user_id": row.user_id, "status": "valid"})
            elif row.number in created:
                report_rows.append(
                    {
                        "row": row.number,
                        "user_id": row.user_id,
                        "status": "created",
                        "member_id": created[row.number],
                    }
                )
        rejected = sum(1 for r in report_rows if r["status"] == "rejected")
        return {
            "program_id": program.program_id,
            "dry_run": dry_run,
            "received": len(rows),
            "created": len(created),
            "rejected": rejected,
            "rows": report_rows,
        }

    async def _append_new_members(
        self, program: Program, ready: list[tuple[ImportRow, Member]]
    ) -> dict[int, str]:
        """Append the new members' streams in bulk; project them in bulk."""
        created: dict[int, str] = {}
        # No look-up of who exists first (a ``$in`` scans the collection on FerretDB): the
        # event store's unique (stream, version) index refuses an existing member's stream.
        fresh_rows = ready
        for start in range(0, len(fresh_rows), IMPORT_BATCH):
            batch = fresh_rows[start : start + IMPORT_BATCH]
            ids = {m.member_id for _, m in batch}
            self.projector.in_flight |= ids
            try:
                failed = await self.events.append_new_streams(
                    [(m.member_id, translation.member_events(m, program)) for _, m in batch],
                    tenant_id=program.tenant_id,
                )
            finally:
                self.projector.in_flight -= ids
            for row, member in batch:
                if member.member_id in failed:
                    row.reject("user_id", "already a member of this program")
                    continue
                member.pending.clear()
                self.projector._mark(member.member_id, member.version)
                created[row.number] = member.member_id
        fresh = [(m, program) for row, m in ready if row.number in created]
        for member, _ in fresh:
            self.projector.index_member(member, program)
        try:
            for stale in await self.aggregates.insert_new([m for m, _ in fresh]):
                await self.aggregates.save(stale)
            for member, _ in await self.read_models.insert_new_members(fresh):
                await self.read_models.save_member(member, program)
        except Exception:
            log.exception("bulk projection failed (the projector will catch up)")
        return created

    # --- profiles --------------------------------------------------------------------------

    async def my_membership(self, principal: Principal, program_id: str) -> tuple[Member, Program]:
        program = await self.program_for(principal, program_id)
        member = await self._member(program, principal.user_id)
        if not member.active:
            raise NotFound("you are not a member of this program")
        return member, program

    async def edit_my_profile(
        self,
        principal: Principal,
        program_id: str,
        *,
        if_match: int,
        fields: ProfileFields,
        custom: dict[str, Any],
        visibility: dict[str, str],
    ) -> tuple[Member, Program]:
        member, program = await self.my_membership(principal, program_id)
        check_if_match(if_match, member.version)
        member.edit_profile(program, fields, custom, visibility)
        await self._save_member(member, program)
        return member, program

    async def view_member(
        self, principal: Principal, program_id: str, member_id: str
    ) -> tuple[Member, Program, Viewer, int | None]:
        program = await self.program_for(principal, program_id)
        me, admin = await self._require_member_or_admin(program, principal)
        member = await self._member_by_id(program, member_id)
        if not member.active:
            raise NotFound("member not found")
        viewer: Viewer
        if me.active and me.member_id == member.member_id:
            viewer = "self"
        elif me.active and await self.loads.matched(me.member_id, member.member_id):
            viewer = "matched"
        elif admin:
            viewer = "admin"
        else:
            viewer = "member"
        if viewer not in ("self", "admin", "matched") and not _listed(member, program):
            raise NotFound("member not found")  # a mentor waiting for approval is not shown
        load = (await self.loads.load_of([member.member_id])).get(member.member_id, 0)
        return member, program, viewer, load

    async def change_roles(
        self,
        principal: Principal,
        program_id: str,
        member_id: str,
        roles: list[str],
        if_match: int | None,
    ) -> tuple[Member, Program]:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "change roles")
        member = await self._member_by_id(program, member_id)
        member.require_active()
        check_if_match(if_match, member.version)
        member.change_roles(program, roles)
        await self._save_member(member, program)
        return member, program

    async def list_members(
        self,
        principal: Principal,
        program_id: str,
        *,
        role: str | None,
        application_state: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "list all members")
        return await self.read_models.list_members(
            principal.tenant_id,
            program.program_id,
            role=role,
            application_state=application_state,
            cursor=cursor,
            limit=limit,
        )

    # --- mentor applications ----------------------------------------------------------------

    async def apply_to_mentor(
        self, principal: Principal, program_id: str, answers: dict[str, str]
    ) -> tuple[Member, str]:
        member, program = await self.my_membership(principal, program_id)
        application_id = member.submit_application(program, answers)
        await self._save_member(member, program, conflict="your application is already in")
        return member, application_id

    async def decide_application(
        self,
        principal: Principal,
        program_id: str,
        application_id: str,
        *,
        decision: Literal["approved", "rejected"],
        reason_code: str | None,
        note: str | None,
    ) -> Member:
        program = await self.program_for(principal, program_id)
        await self._require_admin(program, principal, "decide mentor applications")
        member = await self._member_by_id(program, member_id_of_application(application_id))
        member.decide_application(
            application_id,
            decision=decision,
            reason_code=reason_code,
            note=note,
            decided_by=principal.user_id,
        )
        await self._save_member(member, program, conflict="the application changed meanwhile")
        return member

    async def application(
        self, principal: Principal, program_id: str, application_id: str
    ) -> tuple[Member, dict[str, Any]]:
        program = await self.program_for(principal, program_id)
        member = await self._member_by_id(program, member_id_of_application(application_id))
        if member.user_id != principal.user_id:
            await self._require_admin(program, principal, "read mentor applications")
        app = next((a for a in member.applications if a["application_id"] == application_id), None)
        if app is None:
            raise NotFound(f"mentor application {application_id} not found")
        return member, app

    # --- search ----------------------------------------------------------------------------

    async def search(
        self,
        principal: Principal,
        program_id: str,
        text: str | None,
        filters: SearchFilters,
        *,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        program = await self.program_for(principal, program_id)
        me, admin = await self._require_member_or_admin(program, principal)
        spec = program.require_spec()
        defined = {f.key: f for f in spec.custom_fields}
        custom = []
        for key, value in filters.custom:
            definition = defined.get(key)
            if definition is None:
                raise InvalidInput(f"unknown custom field {key!r}", field="custom")
            normalised = definition.coerce(value)
            if isinstance(normalised, list):
                normalised = normalised[0] if normalised else ""
            text_value = (
                f"{normalised:g}" if isinstance(normalised, float) else str(normalised).casefold()
            )
            custom.append((key, " ".join(text_value.split())))
        filters.custom = custom
        filters.admin_view = admin
        page = self.index.search(
            principal.tenant_id, program.program_id, text, filters, limit=limit, cursor=cursor
        )
        ids = [member_id for member_id, _ in page.hits]
        docs = await self.read_models.members_by_id(ids)
        loads = await self.loads.load_of(ids)
        partners = await self.loads.partners_of(me.member_id, ids) if me.active else set()
        results = []
        for member_id, score in page.hits:
            doc = docs.get(member_id)
            if doc is None or doc.get("status") != "active" or not doc.get("views"):
                continue
            view = doc["views"]["matched" if member_id in partners else "member"]
            results.append(
                {
                    "member_id": member_id,
                    "user_id": doc["user_id"],
                    "organization_id": doc["organization_id"],
                    "roles": doc["roles"],
                    "mentor_approved": doc["mentor_approved"],
                    "score": round(score, 4),
                    "current_load": loads.get(member_id, 0),
                    "profile": view,
                }
            )
        return {"results": results, "total": page.total, "next_cursor": page.next_cursor}

    # --- privacy ---------------------------------------------------------------------------

    async def export(self, principal: Principal) -> dict[str, Any]:
        memberships = await self.read_models.memberships_of(principal.tenant_id, principal.user_id)
        out = []
        for doc in memberships:
            events = await self.events.load(doc["_id"])  # the full history, for the export
            member = Member.rehydrate(doc["_id"], events)
            if member.user_id != principal.user_id or member.tenant_id != principal.tenant_id:
                continue
            program = await self.projector.program(member.program_id)
            out.append(
                {
                    "member_id": member.member_id,
                    "program_id": member.program_id,
                    "program_name": program.spec.name if program and program.spec else None,
                    "status": member.status,
                    "organization_id": member.organization_id,
                    "roles": member.roles,
                    "mentor_approved": member.mentor_approved,
                    "joined_at": member.joined_at,
                    "joined_via": member.joined_via,
                    "profile": member.profile,
                    "custom_fields": member.custom,
                    "visibility": member.visibility,
                    "mentor_applications": member.applications,
                    "current_load": (await self.loads.load_of([member.member_id])).get(
                        member.member_id, 0
                    ),
                    "history": [
                        {"version": e.version, "type": e.type, "at": e.recorded_at.isoformat()}
                        for e in events
                    ],
                }
            )
        return {
            "user_id": principal.user_id,
            "tenant_id": principal.tenant_id,
            "memberships": out,
        }

    async def erase_membership(self, principal: Principal, program_id: str) -> Member:
        program = await self._program(program_id)
        if not program.exists or program.tenant_id != principal.tenant_id:
            raise NotFound("program not found")
        member = await self._member(program, principal.user_id)
        await self._erase(member, program)
        return member

    async def erase_everything(self, principal: Principal) -> list[str]:
        erased = []
        for doc in await self.read_models.memberships_of(principal.tenant_id, principal.user_id):
            program = await self.projector.program(doc["program_id"])
            if program is None:
                continue
            member = await self._member(program, principal.user_id)
            if member.status == "none":
                continue
            await self._erase(member, program)
            erased.append(member.member_id)
        await self.idempotency.forget_user(principal.tenant_id, principal.user_id)
        return erased

    async def _erase(self, member: Member, program: Program) -> None:
        member.erase()  # publishes the profile-changed tombstone
        await self._save_member(member, program)
        await self._redact(member.member_id)

    async def _redact(self, member_id: str) -> None:
        """Forget the personal data in the stream's past events (idempotent).

        The events stay (versions, ids, types, times), so the stream and every projection
        remain consistent; their personal content is overwritten. The profile snapshots
        in the outbox become tombstones too: one not published yet goes out as an erasure,
        and Kafka's copies of published ones are superseded by the tombstone and compacted
        away (see the profile-changed topic).
        """
        coll = self.events.collection
        await coll.update_many(
            {"stream_id": member_id, "type": "ProfileEdited"},
            {"$set": {"data": {"redacted": True}}},
        )
        await coll.update_many(
            {"stream_id": member_id, "type": "MentorApplicationSubmitted"},
            {"$set": {"data.answers": {}}},
        )
        await coll.update_many(
            {"stream_id": member_id, "type": "MentorApplicationDecided"},
            {"$set": {"data.note": None}},
        )
        await coll.update_many(
            {
                "stream_id": member_id,
                "outbox.topic": "profile-changed",
                "outbox.data.erased": False,
            },
            {
                "$set": {
                    "outbox.data.snapshot": None,
                    "outbox.data.erased": True,
                    "outbox.redacted": True,
                }
            },
        )


def _listed(member: Member, program: Program) -> bool:
    """Whether other members see ``member`` at all (mentees, and mentors once approved)."""
    return "mentee" in member.roles or ("mentor" in member.roles and member.mentor_approved)


def check_if_match(if_match: int | None, version: int) -> None:
    if if_match is not None and if_match != version:
        raise PreconditionFailed(
            f"If-Match names version {if_match} but the current version is {version}; "
            "reload and apply your change again",
            current_version=version,
        )


def _invalid(exc: ValidationError) -> InvalidInput:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return InvalidInput(detail, field=errors[0]["field"] if errors else None, errors=errors)
