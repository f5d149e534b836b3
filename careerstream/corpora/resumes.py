"""Seeded generator of realistic synthetic resumes (PDF via reportlab, DOCX via python-docx, TXT) with labels.

Each resume comes with ground truth (email, phone, skills, job titles, employers, degree level) so the
extractor can be evaluated. Variation is deliberate: layouts (one column, two columns, tables, contact in
the page header), heading wording and casing, date formats, phone formats, bullet glyphs, entry header
shapes and skill aliases ("k8s", "Postgres"). Skills for non-tech professions come from the ESCO catalog.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from engines.resume_analysis.tech_aliases import TECH_ALIASES

LAYOUTS = ("one_column", "two_column", "tables", "header_contact")
FORMATS = ("pdf", "docx", "txt")

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Mateo",
    "Chloe",
    "Arjun",
    "Sofia",
    "Lukas",
    "Amara",
]
LAST_NAMES = [
    "Schmidt",
    "Okafor",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Haddad",
    "Müller",
    "Tanaka",
    "Silva",
    "Johnson",
    "Brennan",
    "Rossi",
    "Larsen",
    "Patel",
    "Ivanova",
    "O'Neill",
    "Fischer",
    "Adeyemi",
    "Martin",
    "Dubois",
    "Kim",
    "Novak",
    "Costa",
    "Wright",
    "Yilmaz",
    "Andersson",
    "Chen",
    "Moreau",
]
CITIES = [
    "Austin, TX",
    "Chicago, IL",
    "Seattle, WA",
    "Boston, MA",
    "Denver, CO",
    "Berlin, Germany",
    "London, United Kingdom",
    "Dublin, Ireland",
    "Toronto, Canada",
    "Amsterdam, Netherlands",
    "Atlanta, GA",
    "San Diego, CA",
    "Munich, Germany",
    "Portland, OR",
    "Madrid, Spain",
]
EMAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "proton.me",
    "yahoo.co.uk",
    "mail.de",
    "icloud.com",
    "fastmail.fm",
]
COMPANY_STEMS = [
    "Northwind",
    "Bluehill",
    "Globex",
    "Initech",
    "Vandelay",
    "Brightpath",
    "Silverline",
    "Oakridge",
    "Redwood",
    "Kestrel",
    "Lumen",
    "Harbor",
    "Summit",
    "Pinecrest",
    "Cobalt",
    "Meridian",
    "Evergreen",
    "Ironwood",
    "Clearwater",
    "Stonebridge",
    "Westfield",
    "Falcon",
    "Orchid",
    "Nimbus",
]
COMPANY_SUFFIXES = [
    "Inc.",
    "LLC",
    "GmbH",
    "Ltd",
    "Corporation",
    "Group",
    "Technologies",
    "Systems",
    "Solutions",
    "Labs",
    "Analytics",
    "Partners",
    "& Co.",
    "",
    "",
    "",
]


@dataclass(frozen=True)
class Profession:
    """A career the generator can write a resume for."""

    name: str
    titles: tuple[str, ...]
    tech_skills: tuple[str, ...] = ()
    esco_keywords: tuple[str, ...] = ()
    employer_kinds: tuple[str, ...] = ("", "")
    fields: tuple[str, ...] = ("Business Administration",)
    nouns: tuple[str, ...] = ("clients",)


PROFESSIONS: tuple[Profession, ...] = (
    Profession(
        "software engineer",
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Backend Developer",
            "Full Stack Developer",
            "Software Developer",
            "Lead Engineer",
        ),
        (
            "Python",
            "Java",
            "Go",
            "PostgreSQL",
            "Kubernetes",
            "Docker",
            "AWS",
            "REST APIs",
            "Microservices",
            "Git",
            "TypeScript",
            "React",
            "Redis",
            "Apache Kafka",
            "CI/CD",
            "Terraform",
            "Linux",
            "GraphQL",
            "Django",
            "Spring Boot",
            "Node.js",
            "Unit Testing",
        ),
        fields=("Computer Science", "Software Engineering", "Informatics"),
        nouns=("services", "users"),
    ),
    Profession(
        "data scientist",
        (
            "Data Scientist",
            "Senior Data Scientist",
            "Machine Learning Engineer",
            "Data Analyst",
            "Analytics Engineer",
        ),
        (
            "Python",
            "R",
            "SQL",
            "Machine Learning",
            "Deep Learning",
            "TensorFlow",
            "PyTorch",
            "scikit-learn",
            "pandas",
            "NumPy",
            "Apache Spark",
            "Tableau",
            "Power BI",
            "Natural Language Processing",
            "Apache Airflow",
            "Snowflake",
            "dbt",
            "Data Analysis",
        ),
        fields=("Statistics", "Mathematics", "Data Science", "Physics"),
        nouns=("models", "dashboards"),
    ),
    Profession(
        "devops engineer",
        (
            "DevOps Engineer",
            "Site Reliability Engineer",
            "Cloud Engineer",
            "Platform Engineer",
            "Systems Administrator",
        ),
        (
            "Kubernetes",
            "Docker",
            "Terraform",
            "Ansible",
            "AWS",
            "Microsoft Azure",
            "Google Cloud Platform",
            "Linux",
            "Bash",
            "Jenkins",
            "GitHub Actions",
            "CI/CD",
            "Python",
            "Go",
            "Elasticsearch",
        ),
        fields=("Computer Science", "Information Technology"),
        nouns=("clusters", "deployments"),
    ),
    Profession(
        "registered nurse",
        (
            "Registered Nurse",
            "Staff Nurse",
            "Charge Nurse",
            "Nurse Practitioner",
            "Clinical Nurse Specialist",
        ),
        (),
        ("patient", "nursing", "medication", "wound", "clinical"),
        employer_kinds=("Hospital", "Medical Center", "Health", "Clinic"),
        fields=("Nursing",),
        nouns=("patients", "wards"),
    ),
    Profession(
        "accountant",
        (
            "Accountant",
            "Senior Accountant",
            "Staff Accountant",
            "Financial Analyst",
            "Accounts Payable Specialist",
            "Finance Manager",
        ),
        ("Microsoft Excel", "QuickBooks", "SAP", "Financial Reporting", "Budgeting"),
        ("accounting", "financial statements", "tax", "audit", "payroll", "invoice"),
        fields=("Accounting", "Finance", "Economics"),
        nouns=("accounts", "ledgers"),
    ),
    Profession(
        "teacher",
        (
            "Teacher",
            "Mathematics Teacher",
            "English Teacher",
            "Science Teacher",
            "Teaching Assistant",
            "Head of Department",
        ),
        (),
        ("teach", "lesson", "student", "curriculum", "classroom"),
        employer_kinds=("High School", "Academy", "Primary School", "School District"),
        fields=("Education", "Mathematics", "English Literature", "Biology"),
        nouns=("students", "classes"),
    ),
    Profession(
        "marketing manager",
        (
            "Marketing Manager",
            "Digital Marketing Specialist",
            "Brand Manager",
            "Content Strategist",
            "Marketing Coordinator",
        ),
        ("SEO", "Google Analytics", "HubSpot", "Salesforce", "Data Analysis", "Project Management"),
        ("marketing", "advertising", "brand", "social media", "market research"),
        fields=("Marketing", "Communications", "Business Administration"),
        nouns=("campaigns", "leads"),
    ),
    Profession(
        "sales representative",
        (
            "Sales Representative",
            "Account Executive",
            "Sales Manager",
            "Business Development Manager",
            "Inside Sales Representative",
        ),
        ("Salesforce", "HubSpot", "Customer Service", "Stakeholder Management", "Microsoft Excel"),
        ("sales", "negotiat", "customer", "client relationship"),
        fields=("Business Administration", "Marketing"),
        nouns=("accounts", "deals"),
    ),
    Profession(
        "logistics coordinator",
        (
            "Logistics Coordinator",
            "Supply Chain Analyst",
            "Warehouse Manager",
            "Operations Manager",
            "Procurement Specialist",
        ),
        ("SAP", "Microsoft Excel", "Project Management", "Data Analysis"),
        ("logistics", "inventory", "warehouse", "supply chain", "shipment", "procurement"),
        fields=("Supply Chain Management", "Logistics", "Business Administration"),
        nouns=("shipments", "suppliers"),
    ),
)

HEADINGS = {
    "summary": ["Summary", "Professional Summary", "Profile", "About Me", "Career Objective"],
    "experience": [
        "Experience",
        "Work Experience",
        "Professional Experience",
        "Employment History",
        "Work History",
    ],
    "education": ["Education", "Education and Training", "Academic Background"],
    "skills": ["Skills", "Technical Skills", "Core Competencies", "Key Skills", "Areas of Expertise"],
    "certifications": ["Certifications", "Licenses & Certifications", "Certificates"],
}
BULLETS = ["•", "-", "*", "▪", "–", "◦", ""]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
FILLER_BULLETS = [
    "Reduced average turnaround time by {n}% within the first year",
    "Mentored {n} junior colleagues and onboarded new hires",
    "Collaborated with {n} departments to deliver quarterly goals",
    "Presented results to senior leadership every quarter",
    "Cut recurring costs by ${n}K per year through process changes",
    "Handled a portfolio of {n} {noun} with a satisfaction score of 9{n1}%",
    "Documented procedures used by {n} colleagues across sites",
]
SKILL_BULLETS = [
    "Applied {skill} daily across {n} {noun}",
    "Improved results by {n}% using {skill}",
    "Introduced {skill} practices adopted by {n} colleagues",
    "Recognised internally for expertise in {skill}",
    "Built and maintained {noun} with {skill}, serving {n}K users",
    "Trained {n} team members in {skill}",
]
DEGREES = {
    "doctorate": ["Ph.D. in {field}", "PhD, {field}", "Doctor of Philosophy in {field}"],
    "master": [
        "M.Sc. in {field}",
        "Master of Science in {field}",
        "MBA",
        "M.A. in {field}",
        "MSc {field}",
        "Master's degree in {field}",
    ],
    "bachelor": [
        "B.Sc. in {field}",
        "Bachelor of Science in {field}",
        "B.A. in {field}",
        "BSc (Hons) {field}",
        "Bachelor of Arts in {field}",
        "B.S. in {field}",
    ],
    "associate": [
        "Associate of Applied Science in {field}",
        "Associate Degree in {field}",
        "Associate of Arts in {field}",
    ],
    "high_school": ["High School Diploma", "GED", "A-Levels"],
}
UNIVERSITIES = [
    "University of Michigan",
    "Technical University of Munich",
    "University College Dublin",
    "Boston University",
    "University of Toronto",
    "Georgia Institute of Technology",
    "University of Leeds",
    "Austin Community College",
    "Lincoln High School",
    "Universidad de Madrid",
    "Portland State University",
    "King's College London",
    "Delft University of Technology",
]
CERTIFICATIONS = {
    "software engineer": ["AWS Certified Developer – Associate", "Oracle Certified Professional"],
    "data scientist": ["TensorFlow Developer Certificate", "Google Data Analytics Certificate"],
    "devops engineer": [
        "Certified Kubernetes Administrator (CKA)",
        "HashiCorp Certified: Terraform Associate",
    ],
    "registered nurse": ["Basic Life Support (BLS)", "Advanced Cardiac Life Support (ACLS)"],
    "accountant": ["Certified Public Accountant (CPA)", "Chartered Accountant"],
    "teacher": ["State Teaching License", "TEFL Certificate"],
    "marketing manager": ["Google Ads Certification", "HubSpot Inbound Certification"],
    "sales representative": ["Certified Sales Professional", "Sandler Sales Training"],
    "logistics coordinator": ["APICS CSCP", "Six Sigma Green Belt"],
}
ALIAS_SURFACES = {
    "Kubernetes": ["k8s"],
    "PostgreSQL": ["Postgres"],
    "JavaScript": ["JS"],
    "Go": ["Golang"],
    "Google Cloud Platform": ["GCP"],
    "Microsoft Azure": ["Azure"],
    "Apache Kafka": ["Kafka"],
    "Machine Learning": ["ML"],
    "scikit-learn": ["sklearn"],
    "Node.js": ["NodeJS"],
    "Natural Language Processing": ["NLP"],
    "Microsoft Excel": ["Excel", "MS Excel"],
    "Apache Airflow": ["Airflow"],
    "Apache Spark": ["Spark", "PySpark"],
}


@dataclass
class GroundTruth:
    """Labels for one generated resume."""

    email: str
    phone: str  # normalized: "+" and digits
    skills: list[str]
    job_titles: list[str]
    employers: list[str]
    degree_level: str
    profession: str
    layout: str
    file_format: str


@dataclass
class Position:
    """One generated work-history entry."""

    title: str
    employer: str
    location: str
    start: tuple[int, int]
    end: tuple[int, int] | None
    bullets: list[str] = field(default_factory=list)


@dataclass
class ResumeSpec:
    """Everything needed to render one resume, independent of the output format."""

    name: str
    email: str
    phone: str
    location: str
    link: str
    summary: str
    positions: list[Position]
    education: list[tuple[str, str, str]]  # (degree line, institution, year text)
    skills_listed: list[str]  # surface forms shown in the skills section
    certifications: list[str]
    headings: dict[str, str]
    bullet: str
    date_style: int
    header_style: int
    truth: GroundTruth


@dataclass
class CorpusItem:
    """A rendered resume file plus its labels."""

    filename: str
    data: bytes
    truth: GroundTruth


# ------------------------------------------------------------------------------------------ catalog


def _esco_skill_pool(keywords: tuple[str, ...], catalog: list[Any]) -> list[str]:
    """ESCO skill labels (2-5 plain words) that mention one of the profession's keywords."""
    if not keywords:
        return []
    out = []
    for skill in catalog:
        label = skill.label
        words = label.split()
        if not 2 <= len(words) <= 5 or not re.fullmatch(r"[a-z][a-z' -]+", label):
            continue
        if any(k in label for k in keywords):
            out.append(label)
    return sorted(set(out))


def _load_catalog() -> list[Any]:
    try:
        # lazy: optional dependency, imported where its absence is handled
        from engines.reference_data.catalog import load_skills

        return list(load_skills())
    except Exception:
        return []


# --------------------------------------------------------------------------------------------- spec


def _fmt_date(ym: tuple[int, int] | None, style: int, present: str) -> str:
    if ym is None:
        return present
    year, month = ym
    return [
        f"{MONTHS_SHORT[month - 1]} {year}",
        f"{MONTHS_LONG[month - 1]} {year}",
        f"{month:02d}/{year}",
        f"{year}-{month:02d}",
        f"{year}",
        f"{MONTHS_SHORT[month - 1]}. {year}",
    ][style]


def format_range(start: tuple[int, int], end: tuple[int, int] | None, style: int, rng: random.Random) -> str:
    """A date range in one of several styles ("Jan 2019 – Present", "03/2017 - 11/2020", "2015 to 2019")."""
    present = rng.choice(["Present", "Current", "Now", "present"])
    separator = rng.choice([" – ", " - ", " to ", " — ", "–"])
    if separator == "–" and style not in (4,):
        separator = " – "
    return f"{_fmt_date(start, style, present)}{separator}{_fmt_date(end, style, present)}"


def _phone(rng: random.Random) -> tuple[str, str]:
    area, mid, last = rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999)
    kind = rng.randrange(7)
    if kind == 0:
        return f"({area}) {mid}-{last}", f"{area}{mid}{last}"
    if kind == 1:
        return f"{area}-{mid}-{last}", f"{area}{mid}{last}"
    if kind == 2:
        return f"{area}.{mid}.{last}", f"{area}{mid}{last}"
    if kind == 3:
        return f"+1 {area} {mid} {last}", f"+1{area}{mid}{last}"
    if kind == 4:
        return f"+1-{area}-{mid}-{last}", f"+1{area}{mid}{last}"
    if kind == 5:
        a, b = rng.randint(20, 99), rng.randint(1000, 9999)
        c = rng.randint(1000, 9999)
        return f"+44 {a} {b} {c}", f"+44{a}{b}{c}"
    a, b = rng.randint(30, 89), rng.randint(1000000, 99999999)
    return f"+49 {a} {b}", f"+49{a}{b}"


def _company(rng: random.Random, profession: Profession) -> str:
    stem = rng.choice(COMPANY_STEMS)
    kinds = [k for k in profession.employer_kinds if k]
    if kinds and rng.random() < 0.7:
        return f"{stem} {rng.choice(kinds)}"
    suffix = rng.choice(COMPANY_SUFFIXES)
    return f"{stem} {suffix}".strip() if not suffix.startswith("&") else f"{stem} {suffix}"


def build_spec(
    seed: int, layout: str, file_format: str, catalog: list[Any] | None = None, long_form: bool = False
) -> ResumeSpec:
    """Draw one resume's content from the seed (no rendering); ``long_form`` gives ~2 pages."""
    rng = random.Random(seed)
    catalog = catalog if catalog is not None else []
    profession = rng.choice(PROFESSIONS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    local = (
        rng.choice(
            [
                f"{first}.{last}",
                f"{first[0]}{last}",
                f"{first}_{last}{rng.randint(1, 99)}",
                f"{first}{last[0]}",
            ]
        )
        .lower()
        .replace("'", "")
        .replace("ü", "ue")
    )
    email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    phone_text, phone_norm = _phone(rng)
    location = rng.choice(CITIES)
    link = f"linkedin.com/in/{first.lower()}-{last.lower().replace(chr(39), '').replace('ü', 'ue')}"

    pool = list(profession.tech_skills) + rng.sample(
        esco := _esco_skill_pool(profession.esco_keywords, catalog), k=min(len(esco), 10)
    )
    n_skills = min(len(pool), rng.randint(8, 14))
    skills = rng.sample(pool, k=n_skills)
    # Most skills go to the skills section; the rest are only mentioned in bullets.
    in_section = [s for s in skills if rng.random() < 0.75] or skills[:1]
    in_bullets_only = [s for s in skills if s not in in_section]

    def surface(skill: str) -> str:
        if skill in ALIAS_SURFACES and rng.random() < 0.35:
            return rng.choice(ALIAS_SURFACES[skill])
        return skill

    n_positions = rng.randint(5, 6) if long_form else rng.randint(2, 4)
    year = rng.randint(2022, 2025)
    month = rng.randint(1, 12)
    positions: list[Position] = []
    current = rng.random() < 0.7
    end: tuple[int, int] | None = None if current else (year, month)
    titles = rng.sample(profession.titles, k=min(n_positions, len(profession.titles)))
    for i in range(n_positions):
        length = rng.randint(10, 30 if long_form else 48)
        end_index = (end[0] * 12 + end[1] - 1) if end else year * 12 + month - 1
        start_index = end_index - length
        start = (start_index // 12, start_index % 12 + 1)
        positions.append(
            Position(titles[i % len(titles)], _company(rng, profession), rng.choice(CITIES), start, end)
        )
        gap = rng.randint(0, 4)
        prev = start_index - 1 - gap
        end = (prev // 12, prev % 12 + 1)
    bullet_skills = list(in_bullets_only) + rng.sample(in_section, k=min(len(in_section), 3))
    for i, position in enumerate(positions):
        n_bullets = rng.randint(5, 7) if long_form else (rng.randint(3, 5) if i < 2 else rng.randint(2, 3))
        for _ in range(n_bullets):
            if bullet_skills and rng.random() < 0.6:
                skill = bullet_skills.pop()
                template = rng.choice(SKILL_BULLETS)
                position.bullets.append(
                    template.format(
                        skill=surface(skill), n=rng.randint(2, 40), noun=rng.choice(profession.nouns)
                    )
                )
            else:
                position.bullets.append(
                    rng.choice(FILLER_BULLETS).format(
                        n=rng.randint(2, 40), n1=rng.randint(0, 9), noun=rng.choice(profession.nouns)
                    )
                )
    for skill in bullet_skills:  # any left over go into the last position
        positions[-1].bullets.append(f"Worked extensively with {surface(skill)}")

    degree_level = rng.choices(
        ["none", "high_school", "associate", "bachelor", "master", "doctorate"],
        weights=[0.05, 0.1, 0.1, 0.4, 0.25, 0.1],
    )[0]
    education: list[tuple[str, str, str]] = []
    grad_year = (positions[-1].start[0] if positions else 2015) - rng.randint(0, 2)
    if degree_level != "none":
        field_name = rng.choice(profession.fields)
        degree = rng.choice(DEGREES[degree_level]).format(field=field_name)
        school = rng.choice(
            [u for u in UNIVERSITIES if ("High School" in u) == (degree_level == "high_school")]
        )
        year_text = rng.choice([str(grad_year), f"{grad_year - 4} – {grad_year}", f"Graduated {grad_year}"])
        education.append((degree, school, year_text))
        if degree_level in ("master", "doctorate") and rng.random() < 0.6:
            lower = "bachelor" if degree_level == "master" else "master"
            degree2 = rng.choice(DEGREES[lower]).format(field=field_name)
            education.append(
                (
                    degree2,
                    rng.choice([u for u in UNIVERSITIES if "High School" not in u]),
                    str(grad_year - rng.randint(2, 5)),
                )
            )
    certs = rng.sample(CERTIFICATIONS[profession.name], k=rng.randint(0, 2))
    casing = rng.choice([str.upper, str.title, lambda s: s, lambda s: s + ":"])
    headings = {key: casing(rng.choice(options)) for key, options in HEADINGS.items()}
    years = max(1, sum(((p.end or (year, month))[0] - p.start[0]) for p in positions))
    summary = (
        f"{profession.titles[0]} with {years}+ years of experience. "
        f"Known for reliable delivery, clear communication and a focus on measurable outcomes."
    )
    truth = GroundTruth(
        email=email,
        phone=phone_norm,
        skills=sorted(set(skills)),
        job_titles=[p.title for p in positions],
        employers=[p.employer for p in positions],
        degree_level=degree_level,
        profession=profession.name,
        layout=layout,
        file_format=file_format,
    )
    return ResumeSpec(
        name=name,
        email=email,
        phone=phone_text,
        location=location,
        link=link,
        summary=summary,
        positions=positions,
        education=education,
        skills_listed=[surface(s) for s in in_section],
        certifications=certs,
        headings=headings,
        bullet=rng.choice(BULLETS),
        date_style=rng.randrange(6),
        header_style=rng.randrange(5),
        truth=truth,
    )


def entry_header_lines(p: Position, spec: ResumeSpec, rng: random.Random) -> list[str]:
    """One position's header in one of five real-world shapes."""
    dates = format_range(p.start, p.end, spec.date_style, rng)
    style = spec.header_style
    if style == 0:
        return [f"{p.title} | {p.employer} | {dates}"]
    if style == 1:
        return [f"{p.title}, {p.employer}", dates]
    if style == 2:
        return [f"{p.employer} — {p.location}", f"{p.title}    {dates}"]
    if style == 3:
        return [p.title, p.employer, dates]
    return [dates, f"{p.title} at {p.employer}"]


def _bullet(spec: ResumeSpec, text: str) -> str:
    if not spec.bullet:
        return text + "."
    return f"{spec.bullet} {text}"


def spec_blocks(spec: ResumeSpec, rng: random.Random) -> dict[str, list[str]]:
    """Plain-text lines per block (contact, summary, experience, education, skills, certifications)."""
    contact = [spec.name, f"{spec.location} | {spec.email} | {spec.phone} | {spec.link}"]
    experience: list[str] = []
    for position in spec.positions:
        experience.extend(entry_header_lines(position, spec, rng))
        experience.extend(_bullet(spec, b) for b in position.bullets)
    education = []
    for degree, school, year_text in spec.education:
        education.append(
            rng.choice(
                [
                    f"{degree}, {school}, {year_text}",
                    f"{degree} | {school} | {year_text}",
                    f"{degree}\n{school}, {year_text}",
                ]
            )
        )
    sep = rng.choice([", ", " • ", " | ", "; "])
    skills = (
        [sep.join(spec.skills_listed)]
        if rng.random() < 0.7
        else [_bullet(spec, s) for s in spec.skills_listed]
    )
    return {
        "contact": contact,
        "summary": [spec.summary],
        "experience": experience,
        "education": "\n".join(education).splitlines(),
        "skills": skills,
        "certifications": [_bullet(spec, c) for c in spec.certifications],
    }


# ------------------------------------------------------------------------------------------ renderers


def render_txt(spec: ResumeSpec, rng: random.Random) -> bytes:
    """Plain-text resume."""
    blocks = spec_blocks(spec, rng)
    lines = [*blocks["contact"], ""]
    for key in ("summary", "experience", "education", "skills", "certifications"):
        if blocks[key]:
            lines += [spec.headings[key], *blocks[key], ""]
    return "\n".join(lines).encode("utf-8")


def render_pdf(spec: ResumeSpec, layout: str, rng: random.Random) -> bytes:
    """PDF via reportlab platypus: one column, two columns (sidebar frame), tables or header contact."""

    font, bold = rng.choice([("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold")])
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=13)
    head = ParagraphStyle("head", fontName=bold, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=3)
    name_style = ParagraphStyle("name", fontName=bold, fontSize=18, leading=22)
    blocks = spec_blocks(spec, rng)
    width, height = LETTER

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def section(key: str) -> list[Flowable]:
        if not blocks[key]:
            return []
        return [para(spec.headings[key], head), *[para(line) for line in blocks[key]]]

    contact_flow = [para(spec.name, name_style), para(blocks["contact"][1])]
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
        topMargin=0.9 * inch,
        bottomMargin=0.8 * inch,
        title="Resume",
    )
    story: list[Flowable] = []
    if layout == "two_column":
        side_w = 2.2 * inch
        gap = 0.3 * inch
        frame_h = height - doc.topMargin - doc.bottomMargin
        left = Frame(doc.leftMargin, doc.bottomMargin, side_w, frame_h, id="side")
        right = Frame(
            doc.leftMargin + side_w + gap,
            doc.bottomMargin,
            width - doc.leftMargin - doc.rightMargin - side_w - gap,
            frame_h,
            id="main",
        )
        later = Frame(doc.leftMargin, doc.bottomMargin, width - doc.leftMargin - doc.rightMargin, frame_h)
        doc.addPageTemplates(
            [
                PageTemplate("first", [left, right], autoNextPageTemplate="later"),
                PageTemplate("later", [later]),
            ]
        )
        story += [para(spec.name, name_style), *[para(p) for p in blocks["contact"][1].split(" | ")]]
        story += section("skills") + section("education") + section("certifications")
        story.append(FrameBreak())
        story += section("summary") + section("experience")
    else:
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            width - doc.leftMargin - doc.rightMargin,
            height - doc.topMargin - doc.bottomMargin,
        )

        def header(canvas: Any, _doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(font, 9)
            canvas.drawString(
                doc.leftMargin, height - 0.45 * inch, f"{spec.name}  |  {spec.email}  |  {spec.phone}"
            )
            canvas.drawRightString(width - doc.rightMargin, 0.4 * inch, f"{spec.location}")
            canvas.restoreState()

        on_page = header if layout == "header_contact" else None
        doc.addPageTemplates(
            [PageTemplate("all", [frame], onPage=on_page) if on_page else PageTemplate("all", [frame])]
        )
        if layout != "header_contact":
            story += contact_flow
        else:
            story.append(para(spec.name, name_style))
        story += section("summary")
        if layout == "tables":
            story.append(para(spec.headings["experience"], head))
            for position in spec.positions:
                dates = format_range(position.start, position.end, spec.date_style, rng)
                right_cell = [
                    Paragraph(f"<b>{escape(position.title)}</b>", body),
                    para(position.employer),
                    *[para(_bullet(spec, b)) for b in position.bullets],
                ]
                table = Table([[para(dates), right_cell]], colWidths=[1.5 * inch, 5.2 * inch])
                table.setStyle(
                    TableStyle(
                        [
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                        ]
                    )
                )
                story += [table, Spacer(1, 4)]
        else:
            story += section("experience")
        story += section("education") + section("skills") + section("certifications")
    doc.build(story)
    return buffer.getvalue()


def render_docx(spec: ResumeSpec, layout: str, rng: random.Random) -> bytes:
    """DOCX via python-docx: heading styles, optional section columns, tables or header contact."""

    document = docx.Document()
    font_name = rng.choice(["Calibri", "Arial", "Georgia"])
    document.styles["Normal"].font.name = font_name
    document.styles["Normal"].font.size = Pt(10.5)
    blocks = spec_blocks(spec, rng)
    use_styles = rng.random() < 0.6

    def heading(text: str) -> None:
        if use_styles:
            document.add_heading(text, level=2)
        else:
            run = document.add_paragraph().add_run(text)
            run.bold = True

    def section(key: str) -> None:
        if blocks[key]:
            heading(spec.headings[key])
            for line in blocks[key]:
                document.add_paragraph(line)

    if layout == "header_contact":
        header = document.sections[0].header
        header.paragraphs[0].text = f"{spec.name} | {spec.email} | {spec.phone}"
        header.add_paragraph(spec.location)
        document.add_paragraph().add_run(spec.name).bold = True
    else:
        title = document.add_paragraph()
        run = title.add_run(spec.name)
        run.bold = True
        run.font.size = Pt(18)
        document.add_paragraph(blocks["contact"][1])
    section("summary")
    if layout == "tables":
        heading(spec.headings["experience"])
        table = document.add_table(rows=0, cols=2)
        for position in spec.positions:
            cells = table.add_row().cells
            cells[0].text = format_range(position.start, position.end, spec.date_style, rng)
            cells[1].text = position.title
            cells[1].add_paragraph(position.employer)
            for bullet in position.bullets:
                cells[1].add_paragraph(_bullet(spec, bullet))
    else:
        section("experience")
    section("education")
    section("skills")
    section("certifications")
    if layout == "two_column":
        sect_pr = document.sections[0]._sectPr
        cols = sect_pr.find(qn("w:cols"))
        if cols is None:
            cols = sect_pr.makeelement(qn("w:cols"), {})
            sect_pr.append(cols)
        cols.set(qn("w:num"), "2")
        cols.set(qn("w:space"), "432")
    buffer = io.BytesIO()
    document.core_properties.author = "CareerStream corpus"
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------- corpus


def generate_resume(
    seed: int,
    *,
    layout: str | None = None,
    file_format: str | None = None,
    catalog: list[Any] | None = None,
    long_form: bool = False,
) -> CorpusItem:
    """Render one labelled resume; the same seed gives the same content and labels."""
    rng = random.Random(seed * 7919 + 17)
    file_format = file_format or rng.choices(FORMATS, weights=[0.5, 0.4, 0.1])[0]
    layout = layout or rng.choice(LAYOUTS if file_format != "txt" else ("one_column",))
    spec = build_spec(
        seed, layout, file_format, catalog if catalog is not None else _load_catalog(), long_form
    )
    render_rng = random.Random(seed * 104729 + 3)
    if file_format == "pdf":
        data = render_pdf(spec, layout, render_rng)
    elif file_format == "docx":
        data = render_docx(spec, layout, render_rng)
    else:
        data = render_txt(spec, render_rng)
    return CorpusItem(filename=f"resume_{seed:05d}_{layout}.{file_format}", data=data, truth=spec.truth)


def generate_corpus(n: int, seed: int = 0) -> Iterator[CorpusItem]:
    """``n`` labelled resumes from consecutive seeds starting at ``seed``."""
    catalog = _load_catalog()
    for i in range(n):
        yield generate_resume(seed + i, catalog=catalog)


def write_corpus(out_dir: Path, n: int, seed: int = 0) -> Path:
    """Write files plus ``labels.jsonl`` into ``out_dir``; returns the labels path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = out_dir / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as fh:
        for item in generate_corpus(n, seed):
            (out_dir / item.filename).write_bytes(item.data)
            fh.write(json.dumps({"filename": item.filename, **asdict(item.truth)}) + "\n")
    return labels


__all__ = [
    "LAYOUTS",
    "PROFESSIONS",
    "TECH_ALIASES",
    "CorpusItem",
    "GroundTruth",
    "generate_corpus",
    "generate_resume",
    "write_corpus",
]
