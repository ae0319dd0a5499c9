"""The program's member directory and configuration, learnt from profiles' events.

Fed by ``profile-changed`` (version-guarded: a replay or an older state changes nothing)
and ``program-changed``. It answers who is a member (library access), which names to
redact and which roles replace them, the program's vocabulary (its members' skills,
expertise and interests) and the mentors' expertise (coverage). An erased member's
personal fields are dropped at once; the document stays as a tombstone holding the
version, so an older state delivered late cannot bring them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.access import ProgramFacts
from chassis.mongo import retry_transient
from chassis.projections import apply_if_newer
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1


@dataclass(frozen=True)
class DirectoryMember:
    member_id: str
    user_id: str
    display_name: str
    roles: tuple[str, ...]
    mentor_approved: bool
    expertise: tuple[str, ...]
    vocabulary: tuple[str, ...]  # skills, expertise, interests, keywords

    @property
    def mentor(self) -> bool:
        return "mentor" in self.roles

    @classmethod
    def of(cls, doc: dict[str, Any]) -> DirectoryMember:
        return cls(
            member_id=doc["member_id"],
            user_id=doc["user_id"],
            display_name=doc.get("display_name") or "",
            roles=tuple(doc.get("roles") or ()),
            mentor_approved=bool(doc.get("mentor_approved")),
            expertise=tuple(doc.get("expertise") or ()),
            vocabulary=tuple(doc.get("vocabulary") or ()),
        )


def _member_key(tenant_id: str, program_id: str, user_id: str) -> str:
    return f"{tenant_id}|{program_id}|{user_id}"


class Directory:
    def __init__(self, db: AsyncDatabase) -> None:
        self.members = db["directory_members"]
        self.programs = db["directory_programs"]

    async def ensure_indexes(self) -> None:
        await self.members.create_index([("tenant_id", 1), ("program_id", 1)], name="program")

    # --- projection ---------------------------------------------------------------------

    async def profile_changed(self, p: ProfileChangedV1) -> bool:
        """Apply a profile state; True when it was newer than what the directory held."""
        doc_id = _member_key(p.tenant_id, p.program_id, p.user_id)
        base = {
            "tenant_id": p.tenant_id,
            "program_id": p.program_id,
            "member_id": p.member_id,
            "user_id": p.user_id,
        }
        if p.erased or p.snapshot is None:
            update: dict[str, Any] = {
                "$set": {**base, "erased": True, "roles": [], "mentor_approved": False},
                "$unset": {"display_name": "", "expertise": "", "vocabulary": ""},
            }
        else:
            s = p.snapshot
            vocabulary = list(dict.fromkeys([*s.skills, *s.expertise, *s.interests, *s.keywords]))
            update = {
                "$set": {
                    **base,
                    "erased": False,
                    "display_name": s.display_name,
                    "roles": list(p.roles),
                    "mentor_approved": p.mentor_approved,
                    "expertise": list(s.expertise),
                    "vocabulary": vocabulary,
                }
            }
        return await apply_if_newer(
            self.members, doc_id, p.profile_version, update, version_field="profile_version"
        )

    async def program_changed(self, p: ProgramChangedV1) -> None:
        update = {
            "$set": {
                "tenant_id": p.tenant_id,
                "organization_id": p.organization_id,
                "partner_organization_ids": list(p.partner_organization_ids),
            }
        }
        await apply_if_newer(
            self.programs,
            f"{p.tenant_id}|{p.program_id}",
            p.program_version,
            update,
            version_field="program_version",
        )

    # --- queries ------------------------------------------------------------------------

    async def member(self, tenant_id: str, program_id: str, user_id: str) -> DirectoryMember | None:
        doc = await retry_transient(
            lambda: self.members.find_one({"_id": _member_key(tenant_id, program_id, user_id)})
        )
        if doc is None or doc.get("erased"):
            return None
        return DirectoryMember.of(doc)

    async def program(self, tenant_id: str, program_id: str) -> ProgramFacts | None:
        doc = await retry_transient(
            lambda: self.programs.find_one({"_id": f"{tenant_id}|{program_id}"})
        )
        if doc is None:
            return None
        return ProgramFacts.of(
            tenant_id, doc["organization_id"], doc.get("partner_organization_ids") or ()
        )

    async def members_of(self, tenant_id: str, program_id: str) -> list[DirectoryMember]:
        cursor = self.members.find(
            {"tenant_id": tenant_id, "program_id": program_id, "erased": False}
        )
        return [DirectoryMember.of(doc) for doc in await cursor.to_list()]
