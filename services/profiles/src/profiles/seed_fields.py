"""The demo's professional fields and the kinds of people in each (used by
:mod:`profiles.seed_people`): what a staff SRE offers, what a data analyst moving into
machine learning asks for, in the words people write on their profiles."""

from __future__ import annotations

from dataclasses import dataclass

# (city, IANA time zone, languages)
TORONTO = ("Toronto", "America/Toronto", ["en"])
MONTREAL = ("Montréal", "America/Toronto", ["fr", "en"])
VANCOUVER = ("Vancouver", "America/Vancouver", ["en"])
CALGARY = ("Calgary", "America/Edmonton", ["en"])
HALIFAX = ("Halifax", "America/Halifax", ["en", "fr"])
WINNIPEG = ("Winnipeg", "America/Winnipeg", ["en"])
QUEBEC = ("Québec City", "America/Toronto", ["fr", "en"])
OTTAWA = ("Ottawa", "America/Toronto", ["en", "fr"])
PARIS = ("Paris", "Europe/Paris", ["fr", "en"])
NAIROBI = ("Nairobi", "Africa/Nairobi", ["en", "sw"])
BENGALURU = ("Bengaluru", "Asia/Kolkata", ["en", "hi"])
SAO_PAULO = ("São Paulo", "America/Sao_Paulo", ["pt", "en"])
MEXICO_CITY = ("Mexico City", "America/Mexico_City", ["es", "en"])


@dataclass(frozen=True)
class Kind:
    """One kind of person in a field. ``headline`` and ``bio`` may use {years} and
    {country} (never the city: a person's location is shown to their matches only)."""

    function: str
    track: str
    headline: str
    bio: str
    skills: tuple[str, ...]
    wants: tuple[str, ...]  # mentors: expertise; mentees: goals
    keywords: tuple[str, ...]
    years: tuple[int, int]
    company_size: str = "Mid-size"


@dataclass(frozen=True)
class Field:
    industry: str
    mentors: tuple[Kind, Kind, Kind]
    mentees: tuple[Kind, Kind, Kind]
    abroad: tuple[str, str, list[str]]  # where this field's mentor and mentee abroad live


FIELDS = [
    Field(
        "Data & AI",
        mentors=(
            Kind(
                "Machine Learning Engineering",
                "Technical",
                "ML engineering lead, models in production for {years} years",
                "I lead a machine learning platform team in {country}. Over {years} years I have "
                "taken recommendation and forecasting models from notebooks to production, "
                "and I like helping people learn MLOps the practical way.",
                ("Machine learning", "MLOps", "Python", "Spark"),
                ("MLOps", "Machine learning"),
                ("Open source", "Ethics in AI"),
                (9, 18),
            ),
            Kind(
                "Data Science",
                "Technical",
                "Principal data scientist in health research",
                "{years} years of data science, the last six on clinical and public-health "
                "data in {country}. Statistics, experiment design and NLP on medical text are "
                "my bread and butter; I also review a lot of interview take-homes.",
                ("Statistics", "Experiment design", "Python", "NLP", "SQL"),
                ("Statistics", "NLP"),
                ("Ethics in AI", "Writing"),
                (10, 22),
                "Enterprise",
            ),
            Kind(
                "Analytics",
                "Leadership",
                "Director of analytics, built three data teams",
                "I run analytics for a retailer in {country} and have hired and grown three data "
                "teams in {years} years. Ask me about leading analysts, dashboards executives "
                "actually read, and presenting numbers with confidence.",
                ("SQL", "Data visualization", "Statistics"),
                ("Leadership", "Data visualization"),
                ("Public speaking", "Leadership"),
                (12, 25),
                "Enterprise",
            ),
        ),
        mentees=(
            Kind(
                "Analytics",
                "Technical",
                "Data analyst moving into machine learning",
                "{years} years as a data analyst in {country}, mostly SQL and dashboards. I want "
                "to build and ship my first machine learning model and learn how MLOps works.",
                ("Machine learning", "Python", "MLOps"),
                ("Ship my first machine learning model", "Find my niche in data science"),
                ("Machine learning", "Ethics in AI"),
                (1, 4),
            ),
            Kind(
                "Data Science",
                "Technical",
                "Graduate student in NLP",
                "Master's student in {country} working on NLP for French and English clinical "
                "notes. I want to get better at statistics and prepare for data science "
                "interviews.",
                ("NLP", "Statistics", "Python"),
                ("Prepare for technical interviews", "Find my niche in data science"),
                ("NLP", "Writing"),
                (0, 0),
            ),
            Kind(
                "Analytics",
                "Leadership",
                "Senior analyst about to lead a team",
                "Senior analyst in {country} ({years} years); I will lead two analysts soon and "
                "present to our executives every month. I want to lead well and tell a clear "
                "story with data.",
                ("Data visualization", "SQL", "Leadership"),
                ("Lead my first team", "Build confidence presenting to executives"),
                ("Leadership", "Public speaking"),
                (4, 7),
            ),
        ),
        abroad=BENGALURU,
    ),
    Field(
        "Software",
        mentors=(
            Kind(
                "Site Reliability",
                "Technical",
                "Staff site reliability engineer, Kubernetes at scale",
                "{years} years keeping large systems up, now a staff SRE in {country}. I mentor "
                "on Kubernetes, cloud architecture, incident response and the path to senior.",
                ("Kubernetes", "Go", "Cloud architecture", "Distributed systems", "Linux"),
                ("Kubernetes", "Cloud architecture"),
                ("Open source", "Work-life balance"),
                (9, 20),
                "Enterprise",
            ),
            Kind(
                "Engineering Management",
                "Leadership",
                "Engineering manager of platform teams",
                "I went from backend developer to engineering manager and now lead three "
                "platform teams in {country}. Happy to talk about the move into management, "
                "system design reviews and hiring.",
                ("Engineering management", "System design", "Python", "Go"),
                ("Engineering management", "System design"),
                ("Leadership", "Public speaking"),
                (11, 24),
            ),
            Kind(
                "Software Engineering",
                "Technical",
                "Senior full-stack developer, TypeScript and React",
                "Full-stack developer for {years} years, self-taught before that. I like "
                "helping career changers with TypeScript, React and technical interviews.",
                ("TypeScript", "React", "PostgreSQL", "Security"),
                ("TypeScript", "React"),
                ("Career change", "Open source"),
                (8, 15),
                "Startup",
            ),
        ),
        mentees=(
            Kind(
                "Site Reliability",
                "Technical",
                "Junior DevOps engineer",
                "{years} years in DevOps in {country}; I run our CI and want to really "
                "understand Kubernetes and cloud architecture and grow towards senior.",
                ("Kubernetes", "Cloud architecture", "Linux"),
                ("Get promoted to senior", "Learn cloud architecture"),
                ("Open source", "Distributed systems"),
                (1, 4),
            ),
            Kind(
                "Software Engineering",
                "Leadership",
                "Backend developer stepping into a tech lead role",
                "Backend developer in {country} for {years} years, tech lead on my next project. "
                "I want to move into engineering management one day and get better at system "
                "design.",
                ("Engineering management", "System design", "Python"),
                ("Move into engineering management", "Lead my first project"),
                ("Leadership", "System design"),
                (4, 7),
            ),
            Kind(
                "Software Engineering",
                "Technical",
                "Career changer, bootcamp graduate",
                "Former teacher in {country}, I finished a web development bootcamp this year. "
                "I am looking for my first developer job and practising TypeScript and React.",
                ("TypeScript", "React"),
                ("Switch careers into tech", "Prepare for technical interviews"),
                ("Career change", "Open source"),
                (0, 1),
            ),
        ),
        abroad=NAIROBI,
    ),
    Field(
        "Product & Design",
        mentors=(
            Kind(
                "Product Management",
                "Leadership",
                "Group product manager, B2B software",
                "{years} years in product, the last five leading product managers in {country}. "
                "I coach on product strategy, roadmapping and the move from engineering or "
                "design into product.",
                ("Product strategy", "Roadmapping", "User research"),
                ("Product strategy", "Roadmapping"),
                ("Leadership", "Career change"),
                (10, 20),
            ),
            Kind(
                "UX Design",
                "Technical",
                "Design lead, accessibility and design systems",
                "Design lead in {country} with {years} years of UX. I care about accessibility, "
                "prototyping and portfolios that show how you think.",
                ("Figma", "Prototyping", "Accessibility", "Service design"),
                ("Accessibility", "Prototyping"),
                ("Writing", "Public speaking"),
                (8, 16),
            ),
            Kind(
                "Product Management",
                "Entrepreneurship",
                "Founder and CEO of a design-led startup",
                "I founded two startups in {country}; the second raised a seed round. I help "
                "first-time founders with product strategy, user research and fundraising.",
                ("Product strategy", "User research", "Fundraising"),
                ("Fundraising", "Entrepreneurship"),
                ("Entrepreneurship", "Networking"),
                (12, 22),
                "Startup",
            ),
        ),
        mentees=(
            Kind(
                "UX Design",
                "Technical",
                "Junior UX designer",
                "UX designer in {country} for {years} years. I want a stronger portfolio, to "
                "learn accessibility properly and to get better at prototyping.",
                ("Figma", "Accessibility", "Prototyping"),
                ("Build a strong UX portfolio", "Get promoted to senior"),
                ("Accessibility", "Writing"),
                (1, 3),
            ),
            Kind(
                "Product Management",
                "Leadership",
                "Developer moving into product management",
                "Developer in {country} for {years} years and the person who always asks why we "
                "build things. I want to move into product management and learn roadmapping.",
                ("Product strategy", "Roadmapping", "User research"),
                ("Move into product management", "Lead my first project"),
                ("Career change", "Leadership"),
                (3, 6),
            ),
            Kind(
                "Product Management",
                "Entrepreneurship",
                "Aspiring founder, health tech",
                "I work in product in {country} and have a health-tech idea I have been testing "
                "with users. I want to start a company and understand fundraising.",
                ("Product strategy", "Fundraising", "User research"),
                ("Start a tech company", "Raise a first round"),
                ("Entrepreneurship", "Networking"),
                (2, 6),
                "Startup",
            ),
        ),
        abroad=PARIS,
    ),
    Field(
        "Hardware",
        mentors=(
            Kind(
                "Embedded Systems",
                "Technical",
                "Embedded systems lead, medical devices",
                "{years} years writing firmware, now leading the embedded team of a "
                "medical-device maker in {country}. Embedded C, FPGAs and IoT devices.",
                ("Embedded C", "FPGA", "IoT", "Robotics"),
                ("Embedded C", "FPGA"),
                ("Work-life balance", "Open source"),
                (9, 20),
            ),
            Kind(
                "Electrical Engineering",
                "Leadership",
                "Hardware engineering manager",
                "Electrical engineer turned engineering manager in {country}; {years} years from "
                "PCB design to leading a team of twelve.",
                ("PCB design", "Embedded C", "Engineering management"),
                ("PCB design", "Engineering management"),
                ("Leadership", "Networking"),
                (12, 25),
                "Enterprise",
            ),
            Kind(
                "Manufacturing",
                "Entrepreneurship",
                "Co-founder of a robotics hardware startup",
                "Co-founder of a robotics startup in {country}. I know supply chain and "
                "manufacturing the hard way and help hardware founders avoid my mistakes.",
                ("Supply chain", "Robotics", "IoT", "Fundraising"),
                ("Supply chain", "Robotics"),
                ("Entrepreneurship", "Public speaking"),
                (10, 20),
                "Startup",
            ),
        ),
        mentees=(
            Kind(
                "Electrical Engineering",
                "Technical",
                "Electrical engineering student",
                "Final-year electrical engineering student in {country}. I love PCB design and "
                "embedded C and want to land my first hardware job.",
                ("PCB design", "Embedded C"),
                ("Land my first hardware job", "Prepare for technical interviews"),
                ("IoT", "Networking"),
                (0, 0),
            ),
            Kind(
                "Embedded Systems",
                "Technical",
                "Firmware developer, robotics",
                "Firmware developer in {country} for {years} years on warehouse robots. I want to "
                "go deeper into FPGAs and grow into a senior embedded role.",
                ("Embedded C", "FPGA", "Robotics"),
                ("Get promoted to senior", "Learn FPGA design"),
                ("Robotics", "Open source"),
                (2, 5),
            ),
            Kind(
                "Manufacturing",
                "Entrepreneurship",
                "Hardware engineer with a startup idea",
                "Manufacturing engineer in {country}; I am prototyping a connected IoT device "
                "and want to start a hardware company without drowning in supply chain.",
                ("Supply chain", "IoT", "Fundraising"),
                ("Start a tech company", "Bring a device to manufacturing"),
                ("Entrepreneurship", "IoT"),
                (3, 7),
                "Startup",
            ),
        ),
        abroad=MEXICO_CITY,
    ),
    Field(
        "Telecom",
        mentors=(
            Kind(
                "Network Engineering",
                "Technical",
                "Principal network engineer, 5G core",
                "{years} years in networks, now on the 5G core of a national carrier in "
                "{country}. I teach network automation with Ansible and Python.",
                ("5G", "Network automation", "Ansible", "Linux", "Python"),
                ("Network automation", "5G"),
                ("Open source", "Work-life balance"),
                (10, 22),
                "Enterprise",
            ),
            Kind(
                "Solutions Architecture",
                "Technical",
                "Cloud solutions architect",
                "Solutions architect in {country}; {years} years designing cloud and network "
                "architectures for carriers and presenting them to their executives.",
                ("Cloud architecture", "Linux", "Kubernetes", "5G"),
                ("Cloud architecture", "Public speaking"),
                ("Public speaking", "Networking"),
                (9, 18),
            ),
            Kind(
                "Operations",
                "Leadership",
                "Director of network operations",
                "I run network operations for a carrier in {country} ({years} years in telecom). "
                "I mentor new managers and people moving from engineering into leadership.",
                ("Engineering management", "Network automation", "Linux"),
                ("Engineering management", "Leadership"),
                ("Leadership", "Work-life balance"),
                (15, 28),
                "Enterprise",
            ),
        ),
        mentees=(
            Kind(
                "Network Engineering",
                "Technical",
                "Network technician learning automation",
                "Network technician in {country} for {years} years. I want to automate our "
                "network operations with Ansible and Python and understand 5G.",
                ("Network automation", "Ansible", "5G"),
                ("Automate network operations", "Get promoted to senior"),
                ("Open source", "Linux"),
                (1, 4),
            ),
            Kind(
                "Solutions Architecture",
                "Technical",
                "Pre-sales engineer growing into architecture",
                "Pre-sales engineer in {country} ({years} years). I want to learn cloud "
                "architecture and present to executives without freezing.",
                ("Cloud architecture", "Linux", "Public speaking"),
                ("Learn cloud architecture", "Build confidence presenting to executives"),
                ("Public speaking", "Networking"),
                (2, 6),
            ),
            Kind(
                "Operations",
                "Leadership",
                "Operations team lead",
                "Team lead in a network operations centre in {country}, {years} years in. I want "
                "to move into engineering management and balance it with a young family.",
                ("Engineering management", "Leadership"),
                ("Move into engineering management", "Return to work after leave"),
                ("Leadership", "Work-life balance"),
                (5, 7),
            ),
        ),
        abroad=SAO_PAULO,
    ),
]
