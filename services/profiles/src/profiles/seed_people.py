"""The demo's people (used by :mod:`profiles.seed`): mentors and mentees who read like real
members of a Canadian women-in-tech program.

Each person is one of a few hand-written kinds per professional field (a staff SRE, a
data analyst who wants to move into machine learning, a designer building a portfolio,
...), so what a mentee asks for and what a mentor offers are written in the same field's
words and a program admin can tell a good recommendation from a bad one. Fields, kinds
and places are dealt out in turn, so every field has mentors in several time zones and
in French, and most mentees have a mentor of their field within the program's six hours;
names, years, capacities and availability come from the seeded random generator.
"""

from __future__ import annotations

import random
from typing import Any

from profiles.seed_fields import (
    CALGARY,
    FIELDS,
    HALIFAX,
    MONTREAL,
    OTTAWA,
    QUEBEC,
    TORONTO,
    VANCOUVER,
    WINNIPEG,
    Kind,
)

FIRST = [
    "Amara", "Beatriz", "Chloé", "Deepa", "Elena", "Fatima", "Grace", "Hana", "Ines", "Jia",
    "Kateri", "Leila", "Maya", "Noor", "Olivia", "Priya", "Quinn", "Rosa", "Sofia", "Tamar",
    "Uma", "Valeria", "Wanjiru", "Ximena", "Yara", "Zoë", "Aiko", "Brigitte", "Camille",
    "Dalia", "Emma", "Freya", "Gabriela", "Hiroko", "Isabelle", "Jasmine", "Kavya", "Lucía",
    "Mei", "Nadia", "Océane", "Pilar", "Rania", "Siobhan", "Thandiwe", "Valentina", "Wren",
    "Yasmin", "Zainab", "Ana", "Bianca", "Clara", "Dana", "Eun-ji", "Farah", "Gwen", "Helena",
    "Ivy", "Julia", "Kiri",
]  # fmt: skip
LAST = [
    "Okafor", "Silva", "Tremblay", "Iyer", "Popescu", "Haddad", "Kim", "Nakamura", "García",
    "Chen", "Whitehorse", "Rahimi", "Cohen", "Ahmed", "Martin", "Sharma", "O'Brien", "Rossi",
    "Novak", "Levi", "Patel", "Moreno", "Mwangi", "López", "Farouk", "Gagnon", "Sato", "Roy",
    "Dubois", "Mansour",
]  # fmt: skip
TRACKS = ["Technical", "Leadership", "Entrepreneurship"]
COMPANY_SIZES = ["Startup", "Mid-size", "Enterprise"]

#: where the n-th mentor / mentee of a field lives ("abroad": the field's own place)
MENTOR_PLACES: list[tuple[str, str, list[str]] | None] = [
    TORONTO,
    MONTREAL,
    VANCOUVER,
    HALIFAX,
    CALGARY,
    None,
]
MENTEE_PLACES: list[tuple[str, str, list[str]] | None] = [
    TORONTO,
    QUEBEC,
    WINNIPEG,
    OTTAWA,
    VANCOUVER,
    None,
]

#: the country a bio names (the city itself is in ``location``, visible to matches only)
COUNTRIES = {
    "Paris": "France",
    "Nairobi": "Kenya",
    "Bengaluru": "India",
    "São Paulo": "Brazil",
    "Mexico City": "Mexico",
}
#: mentors who said "not now" (demo-mentor-25 and -29): the demo shows paused mentors too
NOT_ACCEPTING = {25, 29}


def people(rng: random.Random, count: int, role: str) -> list[dict[str, Any]]:
    """``count`` demo members of ``role`` (``mentor`` or ``mentee``), reproducible by seed:
    the n-th person is of field ``n % 5``, kind ``(n // 5) % 3``, place ``n // 5``."""
    out = []
    names = rng.sample([(f, last) for f in FIRST for last in LAST], count)
    places = MENTOR_PLACES if role == "mentor" else MENTEE_PLACES
    for n, (first, last) in enumerate(names):
        field = FIELDS[n % len(FIELDS)]
        kinds = field.mentors if role == "mentor" else field.mentees
        kind = kinds[(n // len(FIELDS)) % len(kinds)]
        city, zone, languages = places[(n // len(FIELDS)) % len(places)] or field.abroad
        years = rng.randint(*kind.years)
        text = {"years": years, "country": COUNTRIES.get(city, "Canada")}
        profile: dict[str, Any] = {
            "display_name": f"{first} {last}",
            "headline": kind.headline.format(**text),
            "bio": kind.bio.format(**text),
            "location": city,
            "timezone": zone,
            "languages": list(languages),
            "industry": field.industry,
            "job_function": kind.function,
            "years_experience": years,
            "skills": list(kind.skills),
            "keywords": list(kind.keywords),
            "custom_fields": {"track": kind.track, "company_size": kind.company_size},
            "visibility": {"location": "matches"},
        }
        if role == "mentor":
            profile |= _mentor(rng, kind, accepting=n + 1 not in NOT_ACCEPTING)
        else:
            profile |= {"goals": list(kind.wants), "interests": list(kind.keywords)}
        out.append({"user_id": f"demo-{role}-{n + 1:02d}", "role": role, "profile": profile})
    return out


def _mentor(rng: random.Random, kind: Kind, *, accepting: bool) -> dict[str, Any]:
    return {
        "expertise": list(kind.wants),
        "capacity": rng.randint(2, 4),
        "accepting_mentees": accepting,
        "availability": [
            {"day": d, "start": "17:00", "end": "19:00"}
            for d in rng.sample(["mon", "tue", "wed", "thu", "fri"], 2)
        ],
    }
