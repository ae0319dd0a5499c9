"""Seed a demo program through the HTTP API: ``python -m profiles.seed --url URL``.

Creates (once) the program "Women in Tech Canada" in tenant ``demo`` with custom fields,
mentor questions and matching weights; 30 mentors (who apply and get approved) and 30
mentees with varied, realistic profiles across time zones, languages and industries.
Safe to run again: existing program, members and decisions are left as they are.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from typing import Any

import httpx

from chassis.devtokens import mint_token

TENANT = "demo"
ADMIN = "demo-admin"
PROGRAM_NAME = "Women in Tech Canada"

FIRST = [
    "Amara",
    "Beatriz",
    "Chloé",
    "Deepa",
    "Elena",
    "Fatima",
    "Grace",
    "Hana",
    "Ines",
    "Jia",
    "Kateri",
    "Leila",
    "Maya",
    "Noor",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sofia",
    "Tamar",
    "Uma",
    "Valeria",
    "Wanjiru",
    "Ximena",
    "Yara",
    "Zoë",
    "Aiko",
    "Brigitte",
    "Camille",
    "Dalia",
    "Emma",
    "Freya",
    "Gabriela",
    "Hiroko",
    "Isabelle",
    "Jasmine",
    "Kavya",
    "Lucía",
    "Mei",
    "Nadia",
    "Océane",
    "Pilar",
    "Rania",
    "Siobhan",
    "Thandiwe",
    "Valentina",
    "Wren",
    "Yasmin",
    "Zainab",
    "Ana",
    "Bianca",
    "Clara",
    "Dana",
    "Eun-ji",
    "Farah",
    "Gwen",
    "Helena",
    "Ivy",
    "Julia",
    "Kiri",
]
LAST = [
    "Okafor",
    "Silva",
    "Tremblay",
    "Iyer",
    "Popescu",
    "Haddad",
    "Kim",
    "Nakamura",
    "García",
    "Chen",
    "Whitehorse",
    "Rahimi",
    "Cohen",
    "Ahmed",
    "Martin",
    "Sharma",
    "O'Brien",
    "Rossi",
    "Novak",
    "Levi",
    "Patel",
    "Moreno",
    "Mwangi",
    "López",
    "Farouk",
    "Gagnon",
    "Sato",
    "Roy",
    "Dubois",
    "Mansour",
]
PLACES = [
    ("Toronto", "America/Toronto", ["en"]),
    ("Montréal", "America/Toronto", ["fr", "en"]),
    ("Vancouver", "America/Vancouver", ["en"]),
    ("Calgary", "America/Edmonton", ["en"]),
    ("Halifax", "America/Halifax", ["en", "fr"]),
    ("Winnipeg", "America/Winnipeg", ["en"]),
    ("Québec City", "America/Toronto", ["fr"]),
    ("St. John's", "America/St_Johns", ["en"]),
    ("Paris", "Europe/Paris", ["fr", "en"]),
    ("Nairobi", "Africa/Nairobi", ["en", "sw"]),
    ("Bengaluru", "Asia/Kolkata", ["en", "hi"]),
    ("São Paulo", "America/Sao_Paulo", ["pt", "en"]),
    ("Mexico City", "America/Mexico_City", ["es", "en"]),
]
FIELDS = {
    "Software": (
        ["Software Engineering", "Engineering Management", "Site Reliability"],
        [
            "Python",
            "Kubernetes",
            "Go",
            "TypeScript",
            "System design",
            "PostgreSQL",
            "Cloud architecture",
            "Distributed systems",
            "React",
            "Security",
        ],
    ),
    "Data & AI": (
        ["Data Science", "Machine Learning Engineering", "Analytics"],
        [
            "Machine learning",
            "Python",
            "SQL",
            "Statistics",
            "MLOps",
            "NLP",
            "Data visualization",
            "Spark",
            "Experiment design",
        ],
    ),
    "Product & Design": (
        ["Product Management", "UX Design", "UX Research"],
        [
            "Roadmapping",
            "User research",
            "Figma",
            "Prototyping",
            "Accessibility",
            "Product strategy",
            "Service design",
        ],
    ),
    "Hardware": (
        ["Electrical Engineering", "Embedded Systems", "Manufacturing"],
        ["Embedded C", "PCB design", "FPGA", "Robotics", "IoT", "Supply chain"],
    ),
    "Telecom": (
        ["Network Engineering", "Solutions Architecture", "Operations"],
        ["5G", "Network automation", "Linux", "Ansible", "Cloud architecture"],
    ),
}
GOALS = [
    "Move into engineering management",
    "Get promoted to senior",
    "Switch careers into tech",
    "Prepare for technical interviews",
    "Lead my first project",
    "Speak at a conference",
    "Negotiate my salary",
    "Build confidence presenting to executives",
    "Learn cloud architecture",
    "Start a tech company",
    "Return to work after leave",
    "Find my niche in data science",
]
INTERESTS = [
    "Leadership",
    "Open source",
    "Public speaking",
    "Entrepreneurship",
    "Work-life balance",
    "Career change",
    "Networking",
    "Writing",
    "Ethics in AI",
]
TRACKS = ["Technical", "Leadership", "Entrepreneurship"]


def _people(rng: random.Random, count: int, role: str) -> list[dict[str, Any]]:
    people = []
    names = rng.sample([(f, last) for f in FIRST for last in LAST], count)
    for i, (first, last) in enumerate(names, start=1):
        industry = rng.choice(list(FIELDS))
        functions, skills = FIELDS[industry]
        city, zone, languages = rng.choice(PLACES)
        function = rng.choice(functions)
        picked = rng.sample(skills, k=min(len(skills), rng.randint(3, 5)))
        profile: dict[str, Any] = {
            "display_name": f"{first} {last}",
            "location": city,
            "timezone": zone,
            "languages": languages,
            "industry": industry,
            "job_function": function,
            "skills": picked,
            "keywords": rng.sample(INTERESTS, k=2),
            "custom_fields": {
                "track": rng.choice(TRACKS),
                "company_size": rng.choice(["Startup", "Mid-size", "Enterprise"]),
            },
            "visibility": {"location": "matches"},
        }
        if role == "mentor":
            years = rng.randint(8, 30)
            expertise = rng.sample(skills, k=2)
            profile |= {
                "headline": f"{function} lead, {years} years in {industry.lower()}",
                "bio": f"I have spent {years} years in {industry.lower()}, most recently as a "
                f"{function.lower()} lead in {city}. I enjoy helping people grow in "
                f"{expertise[0].lower()} and {expertise[1].lower()}, and I am happy to talk "
                f"about {profile['keywords'][0].lower()}.",
                "years_experience": years,
                "expertise": expertise,
                "capacity": rng.randint(1, 4),
                "accepting_mentees": rng.random() > 0.15,
                "availability": [
                    {"day": d, "start": "17:00", "end": "19:00"}
                    for d in rng.sample(["mon", "tue", "wed", "thu", "fri"], 2)
                ],
            }
        else:
            years = rng.randint(0, 7)
            goals = rng.sample(GOALS, k=2)
            profile |= {
                "headline": f"{function} {'student' if years == 0 else 'professional'}",
                "bio": f"{'Student' if years == 0 else f'{years} years as a {function.lower()}'}"
                f" based in {city}. My goal: {goals[0].lower()}.",
                "years_experience": years,
                "goals": goals,
                "interests": rng.sample(INTERESTS, k=3),
            }
        people.append({"user_id": f"demo-{role}-{i:02d}", "role": role, "profile": profile})
    return people


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
    spec = {
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
                "options": ["Startup", "Mid-size", "Enterprise"],
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
        "matching_weights": {
            "skills": 5,
            "expertise": 4,
            "languages": 2,
            "timezone": 2,
            "industry": 1,
            "custom:track": 3,
        },
        "constraints": {"require_shared_language": True, "max_timezone_difference_hours": 6},
    }
    created = _check(
        client.post(
            "/v1/programs", json=spec, headers={**admin, "Idempotency-Key": "seed-demo-program"}
        ),
        201,
    )
    return created.json()


def seed(url: str) -> dict[str, int]:
    rng = random.Random(20240607)
    counts = {"joined": 0, "already_members": 0, "approved": 0}
    with httpx.Client(base_url=url, timeout=30) as client:
        _wait_ready(client)
        program = ensure_program(client)
        pid = program["program_id"]
        admin = _token(ADMIN, "org_admin", "member")
        people = _people(rng, 30, "mentor") + _people(rng, 30, "mentee")
        for person in people:
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
            me = _check(client.get(f"/v1/programs/{pid}/members/me", headers=headers), 200).json()
            if me["mentor_approved"]:
                continue
            application = me.get("application")
            if application is None or application["state"] == "rejected":
                application = _check(
                    client.post(
                        f"/v1/programs/{pid}/mentor-applications",
                        json={
                            "answers": {
                                "why": "I want to help the next generation of women "
                                "in tech find their way."
                            }
                        },
                        headers=headers,
                    ),
                    201,
                ).json()
            _check(
                client.post(
                    f"/v1/programs/{pid}/mentor-applications/{application['application_id']}"
                    "/decision",
                    json={"decision": "approved", "note": "Welcome aboard!"},
                    headers=admin,
                ),
                200,
                409,
            )
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
    args = parser.parse_args()
    try:
        seed(args.url.rstrip("/"))
    except httpx.HTTPError as exc:
        print(f"seeding failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
