"""The program's member directory and configuration, learnt from profiles' and matching's
events.

Fed by ``profile-changed`` (version-guarded: a replay or an older state changes nothing),
``mentor-paused`` (matching's pause and resume) and ``program-changed``. It answers who is
a member (library access), which names to redact and which roles replace them, the
program's vocabulary (its members' skills, expertise and interests), the mentors'
expertise and whether they are paused (coverage). An erased member's personal fields are
dropped at once; the document stays as a tombstone holding the versions, so an older state
delivered late cannot bring them back.

``mentor-paused`` carries no version, so a pause is ordered by its CloudEvents ``time``
(when matching recorded it): a pause or resume older than the one held changes nothing.
That relies on matching's clocks agreeing to within the gap between two pauses of one
mentor; Kafka keeps them in order per mentor anyway, so the guard is for replays and
rebuilds. A pause that arrives before the member's profile leaves a document that is no
member until ``profile-changed`` fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.access import ProgramFacts
from chassis.mongo import retry_transient
from chassis.projections import apply_if_newer
from mentorship_contracts.events.profiles import MentorPausedV1, ProfileChangedV1
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
    paused: bool = False
    paused_until: datetime | None = None  # None while paused: until resumed

    @property
    def mentor(self) -> bool:
        return "mentor" in self.roles

    def paused_at(self, now: datetime) -> bool:
        """Paused at ``now``: a pause whose end has passed no longer counts (matching
        publishes no resume when a pause ends by itself)."""
        return self.paused and (self.paused_until is None or now < self.paused_until)

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
            paused=bool(doc.get("paused")),
            paused_until=doc.get("paused_until"),  # the chassis client is tz_aware
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(at: datetime) -> int:
    """An event time as an exact integer, the order of :func:`apply_if_newer`."""
    return (at - _EPOCH) // timedelta(microseconds=1)


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
                "$unset": {
                    "display_name": "",
                    "expertise": "",
                    "vocabulary": "",
                    "paused": "",
                    "paused_until": "",
                },
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

    async def mentor_paused(self, p: MentorPausedV1, at: datetime) -> bool:
        """Apply a pause or resume recorded at ``at``; True when it was newer than the one
        the directory held. An erased member's tombstone takes none (it stays erased and
        holds nothing personal)."""
        doc_id = _member_key(p.tenant_id, p.program_id, p.user_id)
        held = await retry_transient(
            lambda: self.members.find_one({"_id": doc_id}, projection={"erased": 1})
        )
        if held is not None and held.get("erased"):
            return False
        update = {
            "$set": {
                "tenant_id": p.tenant_id,
                "program_id": p.program_id,
                "member_id": p.member_id,
                "user_id": p.user_id,
                "paused": p.paused,
                "paused_until": p.until if p.paused else None,
            }
        }
        return await apply_if_newer(
            self.members, doc_id, _microseconds(at), update, version_field="pause_time_us"
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
        if doc is None or doc.get("erased") is not False:  # erased, or no profile yet
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
