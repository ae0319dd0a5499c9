"""The demo's people: varied, realistic profiles across time zones, languages and
industries, generated reproducibly from a seed (used by :mod:`profiles.seed`)."""

from __future__ import annotations

import random
from typing import Any

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


def people(rng: random.Random, count: int, role: str) -> list[dict[str, Any]]:
    """``count`` demo members of ``role`` (``mentor`` or ``mentee``), reproducible by seed."""
    out = []
    names = rng.sample([(f, last) for f in FIRST for last in LAST], count)
    for i, (first, last) in enumerate(names, start=1):
        industry = rng.choice(list(FIELDS))
        functions, skills = FIELDS[industry]
        city, zone, languages = rng.choice(PLACES)
        function = rng.choice(functions)
        profile: dict[str, Any] = {
            "display_name": f"{first} {last}",
            "location": city,
            "timezone": zone,
            "languages": languages,
            "industry": industry,
            "job_function": function,
            "skills": rng.sample(skills, k=min(len(skills), rng.randint(3, 5))),
            "keywords": rng.sample(INTERESTS, k=2),
            "custom_fields": {
                "track": rng.choice(TRACKS),
                "company_size": rng.choice(["Startup", "Mid-size", "Enterprise"]),
            },
            "visibility": {"location": "matches"},
        }
        extra = _mentor if role == "mentor" else _mentee
        profile |= extra(rng, profile, skills)
        out.append({"user_id": f"demo-{role}-{i:02d}", "role": role, "profile": profile})
    return out


def _mentor(rng: random.Random, profile: dict[str, Any], skills: list[str]) -> dict[str, Any]:
    years = rng.randint(8, 30)
    expertise = rng.sample(skills, k=2)
    function, industry, city = profile["job_function"], profile["industry"], profile["location"]
    return {
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


def _mentee(rng: random.Random, profile: dict[str, Any], skills: list[str]) -> dict[str, Any]:
    years = rng.randint(0, 7)
    goals = rng.sample(GOALS, k=2)
    function, city = profile["job_function"], profile["location"]
    return {
        "headline": f"{function} {'student' if years == 0 else 'professional'}",
        "bio": f"{'Student' if years == 0 else f'{years} years as a {function.lower()}'}"
        f" based in {city}. My goal: {goals[0].lower()}.",
        "years_experience": years,
        "goals": goals,
        "interests": rng.sample(INTERESTS, k=3),
    }
