"""A member of a program: membership, roles, profile and mentor applications.

One aggregate (one event stream) per person per program. Mentor applications live inside
it, so that approving an application and making the mentor visible are one append: no
multi-document transaction is needed for "approved, and shown as a mentor".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from chassis.domain import Aggregate, applies
from chassis.errors import Conflict, InvalidInput, NotFound
from profiles.domain.events import (
    CUSTOM_PREFIX,
    FieldVisibility,
    MemberErased,
    MemberJoined,
    MentorApplicationDecided,
    MentorApplicationSubmitted,
    MentorApprovalChanged,
    ProfileEdited,
    RolesChanged,
)
from profiles.domain.fields import ALWAYS_PROGRAM_VISIBLE, SNAPSHOT_FIELDS, ProfileFields
from profiles.domain.membership import (
    REASON_CODES,
    ROLES,
    SELF_ASSIGNABLE_ROLES,
    Viewer,
    check_roles,
    member_id_for,
    member_id_of_application,
)
from profiles.domain.profile_edit import ProfileEdit, check_answers, check_profile_edit
from profiles.domain.program import Program

__all__ = ["Member", "Viewer", "member_id_for", "member_id_of_application"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


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
        #: who sees which built-in field / custom field (absent: the program)
        self.field_visibility: dict[str, str] = {}
        self.custom_visibility: dict[str, str] = {}
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

    @applies(MemberJoined)
    def _joined(self, event: MemberJoined) -> None:
        self.status = "active"
        self.tenant_id = event.tenant_id
        self.program_id = event.program_id
        self.user_id = event.user_id
        self.organization_id = event.organization_id
        self.roles = list(event.roles)
        self.mentor_approved = event.mentor_approved
        self.joined_at = event.at
        self.joined_via = event.via
        self._forget_profile()

    @applies(ProfileEdited)
    def _edited(self, event: ProfileEdited) -> None:
        if event.redacted:
            return
        _merge(self.profile, event.fields)
        _merge(self.custom, event.custom)
        self.field_visibility.update(event.visibility.fields)
        self.custom_visibility.update(event.visibility.custom)
        self.last_changed = list(event.changed)

    @applies(RolesChanged)
    def _roles_changed(self, event: RolesChanged) -> None:
        self.roles = list(event.roles)
        self.mentor_approved = event.mentor_approved
        self.last_changed = ["roles", "mentor_approved"]

    @applies(MentorApplicationSubmitted)
    def _application_submitted(self, event: MentorApplicationSubmitted) -> None:
        self.application_seq += 1
        self.applications.append(
            {
                "application_id": event.application_id,
                "state": "submitted",
                "answers": dict(event.answers),
                "submitted_at": event.at,
                "decided_at": None,
                "reason_code": None,
                "note": None,
                "decided_by": None,
            }
        )

    @applies(MentorApplicationDecided)
    def _application_decided(self, event: MentorApplicationDecided) -> None:
        app = self._application(event.application_id)
        if app is not None:
            app.update(
                state=event.decision,
                decided_at=event.at,
                reason_code=event.reason_code,
                note=event.note,
                decided_by=event.decided_by,
            )

    @applies(MentorApprovalChanged)
    def _approval_changed(self, event: MentorApprovalChanged) -> None:
        self.mentor_approved = event.mentor_approved
        if event.roles is not None:
            self.roles = list(event.roles)
        self.last_changed = ["mentor_approved", *(["roles"] if event.roles is not None else [])]

    @applies(MemberErased)
    def _erased(self, event: MemberErased) -> None:
        self.status = "erased"
        self._forget_profile()
        self.roles, self.mentor_approved = [], False

    def _forget_profile(self) -> None:
        self.profile, self.custom, self.applications = {}, {}, []
        self.field_visibility, self.custom_visibility = {}, {}
        self.last_changed = []

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
        # check the profile before recording anything: a refused join records nothing
        edit = check_profile_edit(program, fields, custom or {}, visibility or {}, initial=True)
        self.record(
            MemberJoined(
                tenant_id=program.tenant_id,
                program_id=program.program_id,
                user_id=user_id,
                organization_id=organization_id,
                roles=roles,
                mentor_approved="mentor" in roles and not spec.requires_mentor_approval,
                via=via,
                at=_now(),
            )
        )
        self._record_edit(edit, initial=True)

    def edit_profile(
        self,
        program: Program,
        fields: ProfileFields,
        custom: Mapping[str, Any],
        visibility: Mapping[str, str],
    ) -> list[str]:
        """Change profile values; returns what changed (nothing recorded if nothing did)."""
        self.require_active()
        edit = check_profile_edit(program, fields, custom, visibility, initial=False)
        return self._record_edit(edit, initial=False)

    def _record_edit(self, edit: ProfileEdit, *, initial: bool) -> list[str]:
        fields = {n: v for n, v in edit.fields.items() if self.profile.get(n) != v}
        custom = {k: v for k, v in edit.custom.items() if self.custom.get(k) != v}
        shown = edit.visibility
        changed = [*fields, *(f"custom:{k}" for k in custom)]
        changed += [n for n, v in shown.fields.items() if self.visibility_of(n) != v]
        changed += [
            f"custom:{k}"
            for k, v in shown.custom.items()
            if self.visibility_of(CUSTOM_PREFIX + k) != v
        ]
        changed = list(dict.fromkeys(changed))
        if not changed and not initial:
            return []
        self.record(
            ProfileEdited(
                fields=fields,
                custom=custom,
                visibility=shown,
                changed=[] if initial else changed,
            )
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
        self.record(RolesChanged(roles=roles, mentor_approved=approved))
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
        clean = check_answers(spec.mentor_questions, answers)
        application_id = f"{self.member_id}.a{self.application_seq + 1}"
        self.record(
            MentorApplicationSubmitted(application_id=application_id, answers=clean, at=_now())
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
            MentorApplicationDecided(
                application_id=application_id,
                decision=decision,
                reason_code=reason_code,
                note=note,
                decided_by=decided_by,
                at=_now(),
            )
        )
        if decision == "approved":
            roles = self.roles if "mentor" in self.roles else check_roles([*self.roles, "mentor"])
            self.record(
                MentorApprovalChanged(
                    mentor_approved=True, roles=roles if roles != self.roles else None
                )
            )

    def erase(self) -> None:
        if self.status == "none":
            raise NotFound("not a member of this program")
        if self.status == "erased":
            return
        self.record(MemberErased(at=_now()))

    # --- queries -----------------------------------------------------------------------

    def require_active(self) -> None:
        if not self.active:
            raise NotFound("member not found")

    @property
    def visibility(self) -> dict[str, str]:
        """Visibility in the API's format (custom fields named ``custom.<key>``)."""
        return FieldVisibility(fields=self.field_visibility, custom=self.custom_visibility).to_api()

    def visibility_of(self, name: str) -> str:
        if name in ALWAYS_PROGRAM_VISIBLE:
            return "program"
        if name.startswith(CUSTOM_PREFIX):
            return self.custom_visibility.get(name[len(CUSTOM_PREFIX) :], "program")
        return self.field_visibility.get(name, "program")

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
            if k in defined and self.visibility_of(CUSTOM_PREFIX + k) in allowed
        }
        return out

    def profile_snapshot(self, program: Program) -> dict[str, Any]:
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

    def application(self, application_id: str) -> dict[str, Any]:
        app = self._application(application_id)
        if app is None:
            raise NotFound(f"mentor application {application_id} not found")
        return app

    def missing_required(self, program: Program) -> list[str]:
        return [
            f"custom_fields.{f.key}"
            for f in program.require_spec().custom_fields
            if f.required and f.key not in self.custom
        ]


def _merge(values: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Apply ``changes`` to ``values``: ``None`` clears a value."""
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
