"""A member of a program: membership, roles, profile and mentor applications.

One aggregate (one event stream) per person per program. Mentor applications live inside
it, so that approving an application and making the mentor visible are one append: no
multi-document transaction is needed for "approved, and shown as a mentor".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from chassis.errors import Conflict, InvalidInput, NotFound
from chassis.eventstore import Aggregate
from profiles.domain.fields import (
    ALWAYS_PROGRAM_VISIBLE,
    SNAPSHOT_FIELDS,
    ProfileFields,
    check_visibility,
)
from profiles.domain.program import Program

MEMBER_JOINED = "MemberJoined"
PROFILE_EDITED = "ProfileEdited"
ROLES_CHANGED = "RolesChanged"
APPLICATION_SUBMITTED = "MentorApplicationSubmitted"
APPLICATION_DECIDED = "MentorApplicationDecided"
MENTOR_APPROVAL_CHANGED = "MentorApprovalChanged"
MEMBER_ERASED = "MemberErased"

ROLES = ("mentee", "mentor", "admin")
SELF_ASSIGNABLE_ROLES = frozenset({"mentee", "mentor"})
REASON_CODES = ("insufficient_experience", "program_full", "incomplete_application", "other")
Viewer = Literal["self", "admin", "matched", "member"]


def member_id_for(tenant_id: str, program_id: str, user_id: str) -> str:
    """One member id per (tenant, program, person): joining twice collides on the stream."""
    digest = hashlib.sha256(f"{tenant_id}\x00{program_id}\x00{user_id}".encode()).hexdigest()
    return "m" + digest[:32]


def member_id_of_application(application_id: str) -> str:
    member_id, _, seq = application_id.partition(".a")
    if not member_id.startswith("m") or not seq.isdigit():
        raise NotFound(f"mentor application {application_id} not found")
    return member_id


def _now() -> str:
    return datetime.now(UTC).isoformat()


def check_roles(roles: Iterable[str], *, allowed: Iterable[str] = ROLES) -> list[str]:
    out = list(dict.fromkeys(roles))
    if not out:
        raise InvalidInput("at least one role is needed (mentee, mentor)", field="roles")
    allowed = set(allowed)
    bad = [r for r in out if r not in allowed]
    if bad:
        raise InvalidInput(
            f"role {bad[0]!r} is not allowed here (allowed: {', '.join(sorted(allowed))})",
            field="roles",
        )
    return sorted(out, key=ROLES.index)


class Member(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status: Literal["none", "active", "erased"] = "none"
        self.tenant_id = ""
        self.program_id = ""
        self.user_id = ""
        self.organization_id = ""
        self.roles: list[str] = []
        self.mentor_approved = False
        self.joined_at: str | None = None
        self.joined_via = ""
        self.profile: dict[str, Any] = {}
        self.custom: dict[str, Any] = {}
        self.visibility: dict[str, str] = {}
        self.applications: list[dict[str, Any]] = []
        self.application_seq = 0
        self.last_changed: list[str] = []

    @property
    def member_id(self) -> str:
        return self.stream_id

    @property
    def active(self) -> bool:
        return self.status == "active"

    # --- folding events ----------------------------------------------------------------

    def apply(self, event_type: str, data: Mapping[str, Any]) -> None:
        if event_type == MEMBER_JOINED:
            self.status = "active"
            self.tenant_id = data["tenant_id"]
            self.program_id = data["program_id"]
            self.user_id = data["user_id"]
            self.organization_id = data["organization_id"]
            self.roles = list(data["roles"])
            self.mentor_approved = bool(data.get("mentor_approved"))
            self.joined_at = data.get("at")
            self.joined_via = data.get("via", "join")
            self.profile, self.custom, self.visibility, self.applications = {}, {}, {}, []
            self.last_changed = []
        elif event_type == PROFILE_EDITED:
            if data.get("redacted"):
                return
            for name, value in data.get("fields", {}).items():
                if value is None:
                    self.profile.pop(name, None)
                else:
                    self.profile[name] = value
            for key, value in data.get("custom", {}).items():
                if value is None:
                    self.custom.pop(key, None)
                else:
                    self.custom[key] = value
            self.visibility.update(data.get("visibility", {}))
            self.last_changed = list(data.get("changed", []))
        elif event_type == ROLES_CHANGED:
            self.roles = list(data["roles"])
            self.mentor_approved = bool(data["mentor_approved"])
            self.last_changed = ["roles", "mentor_approved"]
        elif event_type == APPLICATION_SUBMITTED:
            self.application_seq += 1
            self.applications.append(
                {
                    "application_id": data["application_id"],
                    "state": "submitted",
                    "answers": dict(data.get("answers", {})),
                    "submitted_at": data.get("at"),
                    "decided_at": None,
                    "reason_code": None,
                    "note": None,
                    "decided_by": None,
                }
            )
        elif event_type == APPLICATION_DECIDED:
            app = self._application(data["application_id"])
            if app is not None:
                app.update(
                    state=data["decision"],
                    decided_at=data.get("at"),
                    reason_code=data.get("reason_code"),
                    note=data.get("note"),
                    decided_by=data.get("decided_by"),
                )
        elif event_type == MENTOR_APPROVAL_CHANGED:
            self.mentor_approved = bool(data["mentor_approved"])
            if "roles" in data:
                self.roles = list(data["roles"])
            self.last_changed = ["mentor_approved", *(["roles"] if "roles" in data else [])]
        elif event_type == MEMBER_ERASED:
            self.status = "erased"
            self.profile, self.custom, self.visibility, self.applications = {}, {}, {}, []
            self.roles, self.mentor_approved, self.last_changed = [], False, []

    def _application(self, application_id: str) -> dict[str, Any] | None:
        return next((a for a in self.applications if a["application_id"] == application_id), None)

    # --- commands ----------------------------------------------------------------------

    def join(
        self,
        program: Program,
        *,
        user_id: str,
        organization_id: str,
        roles: Iterable[str],
        via: Literal["join", "invite", "import"],
        fields: ProfileFields | None = None,
        custom: Mapping[str, Any] | None = None,
        visibility: Mapping[str, str] | None = None,
        default_display_name: str | None = None,
    ) -> None:
        if self.active:
            raise Conflict("already a member of this program")
        program.check_open_for_joining()
        allowed = ROLES if via != "join" else SELF_ASSIGNABLE_ROLES
        roles = check_roles(roles, allowed=allowed)
        spec = program.require_spec()
        fields = fields or ProfileFields()
        if fields.display_name is None:
            if not default_display_name:
                raise InvalidInput("display_name is required", field="display_name")
            fields = fields.model_copy(update={"display_name": default_display_name[:200]})
            fields.model_fields_set.add("display_name")
        self.record(
            MEMBER_JOINED,
            {
                "tenant_id": program.tenant_id,
                "program_id": program.program_id,
                "user_id": user_id,
                "organization_id": organization_id,
                "roles": roles,
                "mentor_approved": "mentor" in roles and not spec.requires_mentor_approval,
                "via": via,
                "at": _now(),
            },
        )
        self.edit_profile(program, fields, custom or {}, visibility or {}, initial=True)

    def edit_profile(
        self,
        program: Program,
        fields: ProfileFields,
        custom: Mapping[str, Any],
        visibility: Mapping[str, str],
        *,
        initial: bool = False,
    ) -> list[str]:
        """Change profile values; returns what changed (nothing recorded if nothing did)."""
        self.require_active()
        spec = program.require_spec()
        used = set(spec.profile_fields)
        provided = fields.provided()
        for name in provided:
            if name not in used:
                raise InvalidInput(f"{name!r} is not a profile field of this program", field=name)
        if "display_name" in provided and provided["display_name"] is None:
            raise InvalidInput("display_name cannot be cleared", field="display_name")
        if len(custom) > 50:
            raise InvalidInput("too many custom fields", field="custom_fields")
        custom_changes: dict[str, Any] = {}
        for key, value in custom.items():
            definition = program.custom_field(key)
            if definition is None:
                raise InvalidInput(
                    f"unknown custom field {key!r} (this program defines: "
                    f"{', '.join(f.key for f in spec.custom_fields) or 'none'})",
                    field=f"custom_fields.{key}",
                )
            if value is None or value == "" or value == []:
                if definition.required:
                    raise InvalidInput(
                        f"custom field {key!r} is required", field=f"custom_fields.{key}"
                    )
                custom_changes[key] = None
            else:
                custom_changes[key] = definition.coerce(value)
        vis = check_visibility(
            dict(visibility),
            used_fields=used,
            custom_keys={f.key for f in spec.custom_fields},
        )
        if initial:
            missing = [
                f.key
                for f in spec.custom_fields
                if f.required and custom_changes.get(f.key) is None
            ]
            if missing:
                raise InvalidInput(
                    f"custom field {missing[0]!r} is required",
                    field=f"custom_fields.{missing[0]}",
                )
        changed = [n for n, v in provided.items() if self.profile.get(n) != v]
        changed += [f"custom:{k}" for k, v in custom_changes.items() if self.custom.get(k) != v]
        changed += [
            (n if not n.startswith("custom.") else "custom:" + n[len("custom.") :])
            for n, v in vis.items()
            if self.visibility.get(n, "program") != v
        ]
        changed = list(dict.fromkeys(changed))
        if not changed and not initial:
            return []
        self.record(
            PROFILE_EDITED,
            {
                "fields": {n: v for n, v in provided.items() if self.profile.get(n) != v},
                "custom": {k: v for k, v in custom_changes.items() if self.custom.get(k) != v},
                "visibility": vis,
                "changed": [] if initial else changed,
            },
        )
        return changed

    def change_roles(self, program: Program, roles: Iterable[str]) -> bool:
        self.require_active()
        roles = check_roles(roles)
        spec = program.require_spec()
        if "mentor" not in roles:
            approved = False
        elif not spec.requires_mentor_approval:
            approved = True
        else:  # keeps an earlier approval; a new mentor applies (or an admin approves)
            approved = self.mentor_approved
        if roles == self.roles and approved == self.mentor_approved:
            return False
        self.record(ROLES_CHANGED, {"roles": roles, "mentor_approved": approved})
        return True

    def submit_application(self, program: Program, answers: Mapping[str, str]) -> str:
        self.require_active()
        spec = program.require_spec()
        if not spec.requires_mentor_approval:
            raise Conflict(
                "this program does not require mentor approval: change your roles to "
                "include mentor instead"
            )
        if self.mentor_approved:
            raise Conflict("you are already an approved mentor in this program")
        if any(a["state"] == "submitted" for a in self.applications):
            raise Conflict("you already have an application waiting for a decision")
        questions = {q.key: q for q in spec.mentor_questions}
        for key in answers:
            if key not in questions:
                raise InvalidInput(f"unknown question {key!r}", field=f"answers.{key}")
        clean: dict[str, str] = {}
        for key, q in questions.items():
            answer = (answers.get(key) or "").strip()
            if q.required and not answer:
                raise InvalidInput(f"question {key!r} needs an answer", field=f"answers.{key}")
            if len(answer) > q.max_length:
                raise InvalidInput(
                    f"the answer to {key!r} is longer than {q.max_length} characters",
                    field=f"answers.{key}",
                )
            if answer:
                clean[key] = answer
        application_id = f"{self.member_id}.a{self.application_seq + 1}"
        self.record(
            APPLICATION_SUBMITTED,
            {"application_id": application_id, "answers": clean, "at": _now()},
        )
        return application_id

    def decide_application(
        self,
        application_id: str,
        *,
        decision: Literal["approved", "rejected"],
        reason_code: str | None,
        note: str | None,
        decided_by: str,
    ) -> None:
        self.require_active()
        app = self._application(application_id)
        if app is None:
            raise NotFound(f"mentor application {application_id} not found")
        if app["state"] != "submitted":
            raise Conflict(f"this application was already {app['state']}")
        if decision == "rejected" and not reason_code:
            raise InvalidInput("a rejection needs a reason_code", field="reason_code")
        if reason_code is not None and reason_code not in REASON_CODES:
            raise InvalidInput(
                f"reason_code must be one of {', '.join(REASON_CODES)}", field="reason_code"
            )
        self.record(
            APPLICATION_DECIDED,
            {
                "application_id": application_id,
                "decision": decision,
                "reason_code": reason_code,
                "note": note,
                "decided_by": decided_by,
                "at": _now(),
            },
        )
        if decision == "approved":
            roles = self.roles if "mentor" in self.roles else check_roles([*self.roles, "mentor"])
            data: dict[str, Any] = {"mentor_approved": True}
            if roles != self.roles:
                data["roles"] = roles
            self.record(MENTOR_APPROVAL_CHANGED, data)

    def erase(self) -> None:
        if self.status == "none":
            raise NotFound("not a member of this program")
        if self.status == "erased":
            return
        self.record(MEMBER_ERASED, {"at": _now()})

    # --- queries -----------------------------------------------------------------------

    def require_active(self) -> None:
        if not self.active:
            raise NotFound("member not found")

    def visibility_of(self, name: str) -> str:
        if name in ALWAYS_PROGRAM_VISIBLE:
            return "program"
        return self.visibility.get(name, "program")

    def fields_for(self, viewer: Viewer, program: Program) -> dict[str, Any]:
        """The profile as ``viewer`` may see it: hidden fields are simply absent."""
        spec = program.require_spec()
        allowed = {
            "self": {"program", "matches", "private"},
            "matched": {"program", "matches"},
            "admin": {"program"},
            "member": {"program"},
        }[viewer]
        used = set(spec.profile_fields)
        out = {
            n: v for n, v in self.profile.items() if n in used and self.visibility_of(n) in allowed
        }
        defined = {f.key for f in spec.custom_fields}
        out["custom_fields"] = {
            k: v
            for k, v in self.custom.items()
            if k in defined and self.visibility_of(f"custom.{k}") in allowed
        }
        return out

    def snapshot(self, program: Program) -> dict[str, Any]:
        """The program-visible, matchable snapshot (contract ``ProfileSnapshot`` fields)."""
        visible = self.fields_for("member", program)
        snap: dict[str, Any] = {"display_name": self.profile.get("display_name") or "Member"}
        for name in SNAPSHOT_FIELDS:
            if name in visible:
                snap[name] = visible[name]
        if "accepting_mentees" in self.profile:
            snap["accepting_mentees"] = bool(visible.get("accepting_mentees", False))
        else:  # a mentor who never said "not now" takes mentees (capacity permitting)
            snap["accepting_mentees"] = "mentor" in self.roles
        snap["custom_fields"] = visible["custom_fields"]
        return snap

    def current_application(self) -> dict[str, Any] | None:
        return self.applications[-1] if self.applications else None

    def missing_required(self, program: Program) -> list[str]:
        return [
            f"custom_fields.{f.key}"
            for f in program.require_spec().custom_fields
            if f.required and f.key not in self.custom
        ]
