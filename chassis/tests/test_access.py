"""The shared access policy: program visibility, admins, and who sees which member."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chassis.access import (
    MemberFacts,
    ProgramFacts,
    Standing,
    Viewer,
    is_program_admin,
    may_create_program,
    member_visible_to,
    mentor_visible_to,
    standing,
)

PROGRAM = ProgramFacts.of("t1", "own", ["partner"])


@dataclass(frozen=True)
class P:  # a principal as the token gives it
    organization_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    tenant_id: str = "t1"


def org_admin(org: str, tenant: str = "t1") -> P:
    return P(org, frozenset({"org_admin"}), tenant)


def user(org: str, tenant: str = "t1") -> P:
    return P(org, frozenset({"member"}), tenant)


# (principal, membership roles or None) -> (visible, member, admin)
CASES = [
    # the owning organisation
    (org_admin("own"), None, (True, False, True)),
    (user("own"), None, (True, False, False)),
    (user("own"), ["mentee"], (True, True, False)),
    (user("own"), ["mentee", "admin"], (True, True, True)),
    # a partner: sees the program, its org_admin administers nothing
    (org_admin("partner"), None, (True, False, False)),
    (user("partner"), None, (True, False, False)),
    (user("partner"), ["mentor"], (True, True, False)),
    (user("partner"), ["admin"], (True, True, True)),
    # an unrelated organisation: nothing, unless a member (e.g. a former partner's)
    (org_admin("elsewhere"), None, (False, False, False)),
    (user("elsewhere"), None, (False, False, False)),
    (user("elsewhere"), ["mentee"], (True, True, False)),
    (org_admin("elsewhere"), ["mentee", "admin"], (True, True, True)),
    # another tenant: nothing at all, whatever the organisation, roles or membership
    (org_admin("own", "t2"), None, (False, False, False)),
    (org_admin("own", "t2"), ["admin"], (False, False, False)),
    (user("partner", "t2"), ["mentee"], (False, False, False)),
]


@pytest.mark.parametrize(("principal", "roles", "expected"), CASES)
def test_standing(principal: P, roles: list[str] | None, expected: tuple[bool, ...]) -> None:
    got = standing(principal, PROGRAM, roles)
    assert (got.visible, got.member, got.admin) == expected
    assert got.sees_members == (got.visible and (got.member or got.admin))
    assert is_program_admin(principal, PROGRAM, roles) == expected[2]


def test_who_sees_members() -> None:
    assert standing(org_admin("own"), PROGRAM, None).sees_members
    assert standing(user("partner"), PROGRAM, ["mentee"]).sees_members
    # sees the program (may join it) but not its people: profiles answers 403 "join first"
    partner_admin = standing(org_admin("partner"), PROGRAM, None)
    assert partner_admin.visible and not partner_admin.sees_members
    assert not standing(org_admin("elsewhere"), PROGRAM, None).sees_members


def test_an_unknown_program_grants_only_membership() -> None:
    assert standing(org_admin("own"), None, None) == Standing(False, False, False)
    assert standing(user("own"), None, ["mentee"]) == Standing(True, True, False)
    assert standing(user("own"), None, ["admin"]) == Standing(True, True, True)


def test_admits_and_creation() -> None:
    assert PROGRAM.admits("own") and PROGRAM.admits("partner")
    assert not PROGRAM.admits("elsewhere")
    assert may_create_program(org_admin("x")) and not may_create_program(user("x"))


APPROVED = MemberFacts.of("m-mo", ["mentor"], True)
PENDING = MemberFacts.of("m-pen", ["mentor"], False)
MENTEE_AND_PENDING = MemberFacts.of("m-both", ["mentee", "mentor"], False)
MENTEE = MemberFacts.of("m-alice", ["mentee"], False)

MEMBER = Viewer(member_id="m-other", admin=False)
ADMIN = Viewer(member_id=None, admin=True)


def test_members_see_mentees_and_approved_mentors_only() -> None:
    assert member_visible_to(MEMBER, MENTEE)
    assert member_visible_to(MEMBER, APPROVED)
    assert member_visible_to(MEMBER, MENTEE_AND_PENDING)  # listed as a mentee
    assert not member_visible_to(MEMBER, PENDING)
    assert member_visible_to(ADMIN, PENDING)
    assert member_visible_to(Viewer("m-pen", False), PENDING)  # oneself
    assert member_visible_to(MEMBER, PENDING, matched=True)


def test_an_unapproved_mentor_is_not_shown_as_a_mentor() -> None:
    assert mentor_visible_to(MEMBER, APPROVED)
    assert not mentor_visible_to(MEMBER, PENDING)
    assert not mentor_visible_to(MEMBER, MENTEE_AND_PENDING)
    assert not mentor_visible_to(ADMIN, MENTEE)  # not a mentor at all
    assert mentor_visible_to(ADMIN, PENDING)
    assert mentor_visible_to(Viewer("m-pen", False), PENDING)
    assert mentor_visible_to(MEMBER, PENDING, matched=True)
    # a non-member viewer id never matches a member's
    assert not mentor_visible_to(Viewer(None, False), PENDING)


def test_viewer_from_standing() -> None:
    s = standing(user("own"), PROGRAM, ["mentee"])
    assert Viewer.of(s, "m-alice") == Viewer("m-alice", False)
    assert Viewer.of(standing(org_admin("own"), PROGRAM, None), None) == Viewer(None, True)
