"""Who sees what: tenant x organisation x role x route, in matching and in profiles.

One program in one tenant, owned by organisation ``own``, with ``partner`` as partner
organisation and ``former`` a partner that was removed after its people joined (so its
members are members of an organisation the program no longer admits). Each organisation
has a member mentee, a member mentor, a program admin (a member with the ``admin`` role)
and an ``org_admin`` who is not a member. The same people (same user ids, same
organisations, same roles) also call from another tenant.

The expectations are written out by hand (not derived from the policy under test):
404 where the caller must not see the thing, 403 where they see it but may not act,
200 where allowed; and a forbidden ``end`` leaves the mentorship as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from test_matching_support import (  # noqa: F401
    Matching,
    MatchingServer,
    matching_server,
    python_mentee,
    python_mentor,
)
from test_profiles_support import ProfilesClient, profiles_fixture  # noqa: F401

from chassis.devtokens import mint_token
from testkit import bearer

pytestmark = pytest.mark.infra

OWN, PARTNER, FORMER = "own", "partner", "former"
ORGS = (OWN, PARTNER, FORMER)
ROLES = ("mentee", "mentor", "padmin", "org_admin")
SAME, OTHER = "same", "other"


@dataclass(frozen=True)
class Persona:
    tenant: str  # SAME or OTHER
    org: str
    role: str

    @property
    def name(self) -> str:
        return f"{self.org}-{self.role}"

    @property
    def user_id(self) -> str:
        return f"user-{self.name}"

    @property
    def is_member(self) -> bool:
        return self.role != "org_admin"

    def __str__(self) -> str:
        return f"{self.tenant}/{self.org}/{self.role}"


PERSONAS = [Persona(t, o, r) for t in (SAME, OTHER) for o in ORGS for r in ROLES]


def _headers(persona: Persona, tenants: dict[str, str]) -> dict[str, str]:
    roles = ["org_admin"] if persona.role == "org_admin" else ["member"]
    return bearer(
        mint_token(
            persona.user_id, tenants[persona.tenant], roles=roles, organization_id=persona.org
        )
    )


def _expected(persona: Persona, *, member: int, admin: int, org_admin_partner: int) -> int:
    """The answer for one persona, given the answers of the three kinds of same-tenant
    caller: a member without admin rights, a program admin, and an org_admin of an
    organisation that is not the owner (partner or former partner)."""
    if persona.tenant == OTHER:
        return 404
    if persona.role in ("mentee", "mentor"):
        return member
    if persona.role == "padmin" or persona.org == OWN:
        return admin
    return org_admin_partner


def _check(results: list[tuple[str, str, int, int, str]]) -> None:
    wrong = [r for r in results if r[2] != r[3]]
    table = "\n".join(
        f"  {route:<28} {who:<26} expected {exp} got {got}: {body[:120]}"
        for route, who, exp, got, body in wrong
    )
    assert not wrong, f"{len(wrong)} of {len(results)} answers are wrong:\n{table}"


# --------------------------------------------------------------------------- matching


@dataclass
class MatchingWorld:
    m: Matching
    tenants: dict[str, str]
    request_id: str
    match_id: str
    own_matches: dict[str, str]  # persona name -> a match that persona may end

    def headers(self, persona: Persona) -> dict[str, str]:
        return _headers(persona, self.tenants)

    def party(self, name: str) -> dict[str, str]:
        return _party(self.m, name)


def _party(m: Matching, name: str) -> dict[str, str]:
    """The token of one of the program's people (a mentee or mentor of a request)."""
    member = m.members[name]
    return bearer(mint_token(member.user_id, m.tenant, organization_id=member.organization_id))


@pytest.fixture(scope="module")
async def world(matching_server: MatchingServer) -> MatchingWorld:  # noqa: F811
    m = Matching(
        http=matching_server.http,
        app=matching_server.app,
        tenant=f"tenant-{uuid.uuid4().hex[:8]}",
        bootstrap=matching_server.bootstrap,
    )
    tenants = {SAME: m.tenant, OTHER: f"tenant-{uuid.uuid4().hex[:8]}"}
    await m.program(organization_id=OWN, partner_organization_ids=[PARTNER], default_capacity=10)
    await m.member("alice", ["mentee"], organization_id=OWN, **python_mentee())
    await m.member("mo", ["mentor"], organization_id=OWN, **python_mentor(capacity=10))
    await m.member("pia", ["mentor"], organization_id=PARTNER, **python_mentor())
    await m.member("pen", ["mentor"], approved=False, organization_id=OWN, **python_mentor())
    await m.member("rej", ["mentor"], approved=False, organization_id=OWN, **python_mentor())
    for org in ORGS:
        await m.member(f"{org}-mentee", ["mentee"], organization_id=org, **python_mentee())
        await m.member(f"{org}-mentor", ["mentor"], organization_id=org, **python_mentor())
        await m.member(f"{org}-padmin", ["mentee", "admin"], organization_id=org, **python_mentee())
    # mentees whose mentorships the allowed admins end (one each)
    enders = [p.name for p in PERSONAS if p.tenant == SAME and p.role == "padmin"]
    enders.append(f"{OWN}-org_admin")
    for i in range(len(enders)):
        await m.member(f"e{i}", ["mentee"], organization_id=OWN, **python_mentee())
    await m.program_projected()
    await m.projected(*m.members)

    async def matched(mentee: str, mentor: str) -> tuple[str, str]:
        asked = await m.http.post(
            f"/v1/programs/{m.program_id}/requests",
            json={"mentor_id": m.members[mentor].member_id, "message": "Please mentor me"},
            headers=_party(m, mentee),
        )
        assert asked.status_code == 201, asked.text
        request_id = asked.json()["request_id"]
        accepted = await m.http.post(f"/v1/requests/{request_id}/accept", headers=_party(m, mentor))
        assert accepted.status_code == 200, accepted.text
        return request_id, accepted.json()["match"]["match_id"]

    _, match_id = await matched("alice", "mo")
    own_matches = {}
    for i, ender in enumerate(enders):
        own_matches[ender] = (await matched(f"e{i}", "mo"))[1]
    asked = await m.http.post(
        f"/v1/programs/{m.program_id}/requests",
        json={"mentor_id": "m-pia", "message": "And you too?"},
        headers=_party(m, "alice"),
    )
    assert asked.status_code == 201, asked.text
    return MatchingWorld(m, tenants, asked.json()["request_id"], match_id, own_matches)


def _admin_kind(persona: Persona) -> bool:
    return persona.role in ("padmin", "org_admin")


def _matching_routes(
    w: MatchingWorld,
) -> Iterator[tuple[str, Callable[[Persona], str], dict[str, int]]]:
    p = f"/v1/programs/{w.m.program_id}"
    seen = {"member": 200, "admin": 200, "org_admin_partner": 404}
    others = {"member": 403, "admin": 200, "org_admin_partner": 404}
    parties_only = {"member": 404, "admin": 200, "org_admin_partner": 404}
    yield "recommendations of alice", lambda _: f"{p}/members/m-alice/recommendations", others
    yield (
        "explanation mo/alice",
        lambda _: f"{p}/mentors/m-mo/explanation?mentee_id=m-alice",
        others,
    )
    yield "mentor card mo", lambda _: f"{p}/mentors/m-mo", seen
    yield "mentor card pending", lambda _: f"{p}/mentors/m-pen", parties_only
    yield "mentor card rejected", lambda _: f"{p}/mentors/m-rej", parties_only
    yield (
        "explanation of pending",
        lambda who: (
            f"{p}/mentors/m-pen/explanation" + ("?mentee_id=m-alice" if _admin_kind(who) else "")
        ),
        parties_only,
    )
    yield "request alice->pia", lambda _: f"/v1/requests/{w.request_id}", parties_only
    yield "match alice-mo", lambda _: f"/v1/matches/{w.match_id}", parties_only


async def test_matching_reads(world: MatchingWorld) -> None:
    results = []
    for route, url, answers in _matching_routes(world):
        for persona in PERSONAS:
            r = await world.m.http.get(url(persona), headers=world.headers(persona))
            results.append(
                (route, str(persona), _expected(persona, **answers), r.status_code, r.text)
            )
    _check(results)


async def test_the_parties_themselves(world: MatchingWorld) -> None:
    m, p = world.m, f"/v1/programs/{world.m.program_id}"
    alice = world.party("alice")
    mine = await m.http.get(f"{p}/recommendations", headers=alice)
    assert mine.status_code == 200, mine.text
    assert {"m-pen", "m-rej"}.isdisjoint(i["mentor_id"] for i in mine.json()["items"])
    for mentor in ("m-pen", "m-rej"):
        explained = await m.http.get(f"{p}/mentors/{mentor}/explanation", headers=alice)
        assert explained.status_code == 404, explained.text
        asked = await m.http.post(
            f"{p}/requests", json={"mentor_id": mentor, "message": "hi"}, headers=alice
        )
        assert asked.status_code == 404, asked.text
    for who in ("alice", "mo"):
        assert (
            await m.http.get(f"/v1/matches/{world.match_id}", headers=world.party(who))
        ).status_code == 200
    assert (await m.http.get(f"/v1/requests/{world.request_id}", headers=alice)).status_code == 200
    # a pending mentor sees their own card
    own = await m.http.get(f"{p}/mentors/m-pen", headers=world.party("pen"))
    assert own.status_code == 200 and own.json()["approved"] is False, own.text


async def test_matching_end(world: MatchingWorld) -> None:
    m = world.m
    results = []
    for persona in PERSONAS:
        allowed = persona.tenant == SAME and persona.name in world.own_matches
        match_id = world.own_matches[persona.name] if allowed else world.match_id
        r = await m.http.post(
            f"/v1/matches/{match_id}/end", json={}, headers=world.headers(persona)
        )
        results.append(("end match", str(persona), 200 if allowed else 404, r.status_code, r.text))
    _check(results)
    still = await m.http.get(f"/v1/matches/{world.match_id}", headers=world.party("alice"))
    assert still.status_code == 200 and still.json()["status"] == "active", still.text
    for match_id in world.own_matches.values():
        ended = await m.http.get(f"/v1/matches/{match_id}", headers=world.party("mo"))
        assert ended.json()["status"] == "ended", ended.text


# --------------------------------------------------------------------------- profiles


async def test_profiles(profiles: ProfilesClient) -> None:
    pc = profiles
    tenants = {SAME: pc.tenant, OTHER: f"tenant-{uuid.uuid4().hex[:8]}"}
    owner = pc.admin(org=OWN)
    created = await pc.http.post(
        "/v1/programs",
        json={
            "name": "Access matrix",
            "requires_mentor_approval": True,
            "partner_organization_ids": [PARTNER, FORMER],
        },
        headers=owner,
    )
    assert created.status_code == 201, created.text
    pid = created.json()["program_id"]
    base = f"/v1/programs/{pid}"

    async def join(user: str, org: str, roles: list[str]) -> str:
        return str((await pc.join(pid, user, roles, org=org))["member_id"])

    async def apply(user: str, org: str) -> str:
        r = await pc.http.post(
            f"{base}/mentor-applications",
            json={"answers": {}},
            headers={**pc.auth(user, org=org), "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["application_id"])

    async def decide(application_id: str, decision: str) -> None:
        r = await pc.http.post(
            f"{base}/mentor-applications/{application_id}/decision",
            json={"decision": decision}
            | ({"reason_code": "insufficient_experience"} if decision == "rejected" else {}),
            headers=owner,
        )
        assert r.status_code == 200, r.text

    alice = await join("user-alice", OWN, ["mentee"])
    pen = await join("user-pen", OWN, ["mentor"])
    await apply("user-pen", OWN)
    rej = await join("user-rej", OWN, ["mentor"])
    await decide(await apply("user-rej", OWN), "rejected")
    for org in ORGS:
        await join(f"user-{org}-mentee", org, ["mentee"])
        await join(f"user-{org}-mentor", org, ["mentor"])
        await decide(await apply(f"user-{org}-mentor", org), "approved")
        padmin = await join(f"user-{org}-padmin", org, ["mentee"])
        r = await pc.http.put(
            f"{base}/members/{padmin}/roles", json={"roles": ["mentee", "admin"]}, headers=owner
        )
        assert r.status_code == 200, r.text
    r = await pc.http.patch(base, json={"partner_organization_ids": [PARTNER]}, headers=owner)
    assert r.status_code == 200, r.text

    def program_answer(persona: Persona) -> int:
        if persona.tenant == OTHER:
            return 404
        return 404 if persona.org == FORMER and not persona.is_member else 200

    def member_answer(*, listed: bool) -> Callable[[Persona], int]:
        def answer(persona: Persona) -> int:
            if persona.tenant == OTHER or (persona.org == FORMER and not persona.is_member):
                return 404  # the program itself is not theirs
            if persona.role in ("padmin",) or (persona.role == "org_admin" and persona.org == OWN):
                return 200
            if persona.role == "org_admin":
                return 403  # a partner's org_admin sees the program, not its members
            return 200 if listed else 404

        return answer

    routes: list[tuple[str, str, Callable[[Persona], int]]] = [
        ("program", base, program_answer),
        ("profile of alice", f"{base}/members/{alice}", member_answer(listed=True)),
        ("profile of pending mentor", f"{base}/members/{pen}", member_answer(listed=False)),
        ("profile of rejected mentor", f"{base}/members/{rej}", member_answer(listed=False)),
    ]
    results = []
    for route, url, expected in routes:
        for persona in PERSONAS:
            got: httpx.Response = await pc.http.get(url, headers=_headers(persona, tenants))
            results.append((route, str(persona), expected(persona), got.status_code, got.text))
    _check(results)
