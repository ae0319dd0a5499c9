"""Seed a demo program through the HTTP API: ``python -m profiles.seed --url URL``.

Creates (once) the program "Women in Tech Canada" in tenant ``demo`` with custom fields,
mentor questions and matching weights; 30 mentors (who apply and get approved) and 30
mentees across five fields, time zones and languages (:mod:`profiles.seed_people`), so
that each mentee's recommendations can be judged by reading the two profiles.
Safe to run again: existing program, members and decisions are left as they are (a demo
seeded by an older version keeps its old program and people).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from typing import Any

import httpx

from chassis.devtokens import mint_token
from profiles.seed_people import COMPANY_SIZES, TRACKS, people

TENANT = "demo"
ADMIN = "demo-admin"
PROGRAM_NAME = "Women in Tech Canada"


#: the demo program's configuration (created once)
DEMO_PROGRAM: dict[str, Any] = {
    "name": PROGRAM_NAME,
    "description": "A national eMentorship network: experienced women in technology "
    "coach students and early-career professionals across Canada and beyond.",
    "kind": "informal",
    "modes": "both",
    "requires_mentor_approval": True,
    "default_capacity": 3,
    "max_group_size": 8,
    "partner_organization_ids": ["demo-university", "demo-association"],
    "custom_fields": [
        {
            "key": "track",
            "label": "Mentoring track",
            "type": "single_choice",
            "options": TRACKS,
            "required": True,
        },
        {
            "key": "company_size",
            "label": "Company size",
            "type": "single_choice",
            "options": COMPANY_SIZES,
        },
    ],
    "mentor_questions": [
        {"key": "why", "text": "Why do you want to mentor in this program?"},
        {
            "key": "experience",
            "text": "Tell us about mentoring you have done before.",
            "required": False,
        },
    ],
    # What the mentee asks for (skills, expertise) dominates; the profiles' meaning
    # (semantic) comes next; the track, industry, languages and time zone only break ties.
    "matching_weights": {
        "skills": 5,
        "expertise": 3,
        "semantic": 1,
        "custom:track": 1,
        "industry": 1,
        "languages": 0.5,
        "timezone": 0.5,
    },
    "constraints": {"require_shared_language": True, "max_timezone_difference_hours": 6},
}


def _token(user: str, *roles: str, name: str | None = None) -> dict[str, str]:
    token = mint_token(user, TENANT, roles=list(roles) or ["member"], name=name, ttl_seconds=3600)
    return {"Authorization": f"Bearer {token}"}


def _wait_ready(client: httpx.Client, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"profiles service at {client.base_url} is not ready")
        time.sleep(0.5)


def _check(response: httpx.Response, *ok: int) -> httpx.Response:
    if response.status_code not in ok:
        raise SystemExit(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text}"
        )
    return response


def ensure_program(client: httpx.Client) -> dict[str, Any]:
    admin = _token(ADMIN, "org_admin", "member", name="Demo Admin")
    cursor = None
    while True:
        page = _check(
            client.get("/v1/programs", params={"cursor": cursor} if cursor else {}, headers=admin),
            200,
        ).json()
        for program in page["items"]:
            if program["name"] == PROGRAM_NAME:
                return program
        cursor = page["next_cursor"]
        if not cursor:
            break
    created = _check(
        client.post(
            "/v1/programs",
            json=DEMO_PROGRAM,
            headers={**admin, "Idempotency-Key": "seed-demo-program"},
        ),
        201,
    )
    return created.json()


def _approve(
    client: httpx.Client, pid: str, headers: dict[str, str], admin: dict[str, str]
) -> bool:
    """The mentor applies (unless approved or waiting) and the admin approves; ``False``
    if the mentor was approved already."""
    me = _check(client.get(f"/v1/programs/{pid}/members/me", headers=headers), 200).json()
    if me["mentor_approved"]:
        return False
    application = me.get("application")
    if application is None or application["state"] == "rejected":
        application = _check(
            client.post(
                f"/v1/programs/{pid}/mentor-applications",
                json={
                    "answers": {
                        "why": "I want to help the next generation of women in tech find their way."
                    }
                },
                headers=headers,
            ),
            201,
        ).json()
    _check(
        client.post(
            f"/v1/programs/{pid}/mentor-applications/{application['application_id']}/decision",
            json={"decision": "approved", "note": "Welcome aboard!"},
            headers=admin,
        ),
        200,
        409,
    )
    return True


def demo_people() -> list[dict[str, Any]]:
    """The seeded mentors then mentees, the same on every run (seeded generator)."""
    rng = random.Random(20240607)
    return people(rng, 30, "mentor") + people(rng, 30, "mentee")


def dev_users() -> list[dict[str, Any]]:
    """The demo users as the development issuer's sign-in page lists them."""
    admin = {"user_id": ADMIN, "tenant_id": TENANT, "roles": ["org_admin", "member"]}
    return [{**admin, "name": "Demo Admin"}] + [
        {
            "user_id": person["user_id"],
            "tenant_id": TENANT,
            "roles": ["member"],
            "name": person["profile"]["display_name"],
        }
        for person in demo_people()
    ]


def seed(url: str) -> dict[str, int]:
    counts = {"joined": 0, "already_members": 0, "approved": 0}
    with httpx.Client(base_url=url, timeout=30) as client:
        _wait_ready(client)
        program = ensure_program(client)
        pid = program["program_id"]
        admin = _token(ADMIN, "org_admin", "member")
        everyone = demo_people()
        for person in everyone:
            headers = _token(person["user_id"], name=person["profile"]["display_name"])
            roles = ["mentor"] if person["role"] == "mentor" else ["mentee"]
            r = client.post(
                f"/v1/programs/{pid}/members",
                json={"roles": roles, **person["profile"]},
                headers=headers,
            )
            _check(r, 201, 409)
            counts["joined" if r.status_code == 201 else "already_members"] += 1
            if person["role"] != "mentor":
                continue
            if _approve(client, pid, headers, admin):
                counts["approved"] += 1
    print(
        f"program {PROGRAM_NAME!r} ({pid}) in tenant {TENANT!r}: "
        f"{counts['joined']} members joined, {counts['already_members']} already there, "
        f"{counts['approved']} mentors approved"
    )
    print("demo users: demo-admin (org admin), demo-mentor-01..30, demo-mentee-01..30")
    print(
        "mint a token for one of them:  make token USER_ID=demo-mentee-01 TENANT=demo ROLES=member"
    )
    print(
        f"  then: curl -H 'Authorization: Bearer <token>' '{url}/v1/programs/{pid}/search"
        "?q=kubernetes&role=mentor'"
    )
    return counts


def main() -> None:
    default = os.environ.get("PROFILES_URL") or (
        f"http://127.0.0.1:{os.environ.get('PROFILES_HTTP_PORT', '8001')}"
    )
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=default, help=f"profiles service (default {default})")
    parser.add_argument(
        "--dev-users", metavar="FILE", help="only write the demo users for the dev issuer"
    )
    args = parser.parse_args()
    if args.dev_users:
        with open(args.dev_users, "w", encoding="utf-8") as out:
            json.dump(dev_users(), out, ensure_ascii=False, indent=1)
        return
    try:
        seed(args.url.rstrip("/"))
    except httpx.HTTPError as exc:
        print(f"seeding failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
