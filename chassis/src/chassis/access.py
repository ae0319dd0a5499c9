"""Who may see a program, who administers it, and which of its members others see.

One policy for every service that answers questions about a program's people (profiles,
matching, and whatever comes next), so the services cannot drift apart: a caller that
profiles hides must not find the same thing through matching. Pure functions over facts
the caller already holds (the token's principal, the program's tenant and organisations,
the caller's membership); no I/O, so every rule is unit-tested without a database.

The rules:

* A program is **visible** to a caller of its tenant whose organisation it admits (the
  owning organisation or a partner), or who is an active member of it (a member stays a
  member when their organisation stops being a partner). Nothing of another tenant is
  ever visible: services answer 404 so ids don't leak.
* A program's **admins** are the ``org_admin``s of the organisation that owns it and its
  members with the ``admin`` role. An ``org_admin`` of a partner organisation is not one.
* A program's **members are seen** only by its members and its admins; a caller who sees
  the program but is neither is told to join (403), a caller who does not see it gets 404.
* A **member is listed** (seen by other members) as a mentee, or as a mentor once
  approved. A mentor waiting for approval, or rejected, is seen only by themselves, the
  program's admins and the people they are matched with; everyone else gets 404, since
  member ids are derived from tenant, program and user and so are guessable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

ORG_ADMIN = "org_admin"  # a token role: administers the organisation's programs
PROGRAM_ADMIN = "admin"  # a membership role: administers one program
MENTEE, MENTOR = "mentee", "mentor"


class PrincipalLike(Protocol):
    """What the policy reads from a verified token (``chassis.auth.Principal`` fits)."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ProgramFacts:
    """The program's tenant and organisations (from the aggregate or a read model)."""

    tenant_id: str
    organization_id: str
    partner_organization_ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, tenant_id: str, organization_id: str, partners: Iterable[str] = ()) -> ProgramFacts:
        return cls(tenant_id, organization_id, frozenset(partners))

    def admits(self, organization_id: str) -> bool:
        """Whether people of ``organization_id`` may join (owner or partner)."""
        return (
            organization_id == self.organization_id
            or organization_id in self.partner_organization_ids
        )


@dataclass(frozen=True)
class Standing:
    """What one caller may do in one program."""

    visible: bool  # the program exists for them (else 404)
    member: bool  # an active member
    admin: bool  # administers the program

    @property
    def sees_members(self) -> bool:
        """May read the program's people (profiles, recommendations, cards, pairs)."""
        return self.visible and (self.member or self.admin)


NOWHERE = Standing(visible=False, member=False, admin=False)


def standing(
    principal: PrincipalLike,
    program: ProgramFacts | None,
    member_roles: Iterable[str] | None,
) -> Standing:
    """The caller's standing in a program.

    ``program`` is None when the service does not know the program's configuration (for
    example a read model fed by events that have not arrived yet): then only a membership
    counts, and no organisation grants anything. ``member_roles`` is None when the caller
    is not an active member of the program (the membership roles otherwise).
    """
    if program is not None and program.tenant_id != principal.tenant_id:
        return NOWHERE
    member = member_roles is not None
    roles = frozenset(member_roles or ())
    if program is None:
        return Standing(visible=member, member=member, admin=PROGRAM_ADMIN in roles)
    return Standing(
        visible=member or program.admits(principal.organization_id),
        member=member,
        admin=is_program_admin(principal, program, roles if member else None),
    )


def is_program_admin(
    principal: PrincipalLike, program: ProgramFacts, member_roles: Iterable[str] | None
) -> bool:
    """An ``org_admin`` of the owning organisation, or a member with the ``admin`` role."""
    if program.tenant_id != principal.tenant_id:
        return False
    if ORG_ADMIN in principal.roles and principal.organization_id == program.organization_id:
        return True
    return member_roles is not None and PROGRAM_ADMIN in frozenset(member_roles)


def may_create_program(principal: PrincipalLike) -> bool:
    """Only an ``org_admin`` creates programs (owned by their organisation)."""
    return ORG_ADMIN in principal.roles


@dataclass(frozen=True)
class MemberFacts:
    """What the policy needs to know about the member being looked at."""

    member_id: str
    roles: frozenset[str]
    mentor_approved: bool

    @classmethod
    def of(cls, member_id: str, roles: Iterable[str], mentor_approved: bool) -> MemberFacts:
        return cls(member_id, frozenset(roles), bool(mentor_approved))

    @property
    def is_mentor(self) -> bool:
        return MENTOR in self.roles

    @property
    def approved_mentor(self) -> bool:
        return self.is_mentor and self.mentor_approved

    @property
    def listed(self) -> bool:
        """Seen by the program's other members: mentees, and mentors once approved."""
        return MENTEE in self.roles or self.approved_mentor


@dataclass(frozen=True)
class Viewer:
    """Who is looking, inside the program (from :func:`standing` and the membership)."""

    member_id: str | None  # None: not a member (an admin, or nobody)
    admin: bool

    @classmethod
    def of(cls, standing: Standing, member_id: str | None) -> Viewer:
        return cls(member_id if standing.member else None, standing.admin)


def _privileged(viewer: Viewer, member: MemberFacts, matched: bool) -> bool:
    return (
        viewer.admin
        or matched
        or (viewer.member_id is not None and viewer.member_id == member.member_id)
    )


def member_visible_to(viewer: Viewer, member: MemberFacts, *, matched: bool = False) -> bool:
    """Whether ``viewer`` sees ``member``'s profile at all (404 otherwise).

    ``matched``: the two are (or were) in a mentorship together.
    """
    return member.listed or _privileged(viewer, member, matched)


def mentor_visible_to(viewer: Viewer, mentor: MemberFacts, *, matched: bool = False) -> bool:
    """Whether ``viewer`` sees ``mentor`` *as a mentor*: their card, explanations with them,
    recommendations of them and requests to them (404 otherwise).

    Stricter than :func:`member_visible_to`: a mentee who also applied to mentor is listed
    as a mentee, but is not shown as a mentor before approval.
    """
    return mentor.is_mentor and (mentor.mentor_approved or _privileged(viewer, mentor, matched))
