"""A seeded generator of realistic-looking course records, for tests and the search benchmark.

Courses are drawn from a small built-in vocabulary of topics (each with its own skills, title subjects
and description phrases). With ``use_reference_skills``, each course's skill list is completed with the
ESCO skills named in its *own* title and description (through the resume skill matcher, see
``engines.recommendation.course_skills``); no unrelated catalogue label is ever added.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from engines.course_search.record import CourseRecord


@dataclass(frozen=True)
class Topic:
    """One subject area of the synthetic catalog."""

    subject: str
    skills: tuple[str, ...]
    phrases: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Machine Learning",
        (
            "Python",
            "Machine Learning",
            "scikit-learn",
            "Statistics",
            "Linear Algebra",
            "Deep Learning",
            "TensorFlow",
            "Model Evaluation",
        ),
        (
            "build predictive models",
            "train and evaluate classifiers",
            "tune hyperparameters",
            "understand bias and variance",
        ),
    ),
    Topic(
        "Data Analysis",
        ("SQL", "Excel", "Python", "Pandas", "Data Visualization", "Tableau", "Statistics", "Data Cleaning"),
        (
            "clean messy datasets",
            "build dashboards",
            "write analytical SQL queries",
            "tell stories with data",
        ),
    ),
    Topic(
        "Web Development",
        ("JavaScript", "HTML", "CSS", "React", "Node.js", "TypeScript", "REST APIs", "Web Accessibility"),
        (
            "build responsive websites",
            "create single-page applications",
            "consume REST APIs",
            "deploy web applications",
        ),
    ),
    Topic(
        "Cloud Computing",
        ("AWS", "Azure", "Google Cloud", "Kubernetes", "Docker", "Terraform", "Linux", "Networking"),
        (
            "design scalable architectures",
            "automate infrastructure",
            "run containers in production",
            "control cloud costs",
        ),
    ),
    Topic(
        "Cybersecurity",
        (
            "Network Security",
            "Penetration Testing",
            "Cryptography",
            "Incident Response",
            "Risk Management",
            "Linux",
            "Threat Modeling",
            "Security Auditing",
        ),
        (
            "protect systems from attacks",
            "respond to incidents",
            "assess vulnerabilities",
            "apply security frameworks",
        ),
    ),
    Topic(
        "Project Management",
        (
            "Agile",
            "Scrum",
            "Stakeholder Management",
            "Risk Management",
            "Budgeting",
            "Jira",
            "Leadership",
            "Communication",
        ),
        (
            "plan and deliver projects",
            "run effective sprints",
            "manage stakeholders",
            "keep projects on budget",
        ),
    ),
    Topic(
        "UX Design",
        (
            "User Research",
            "Figma",
            "Prototyping",
            "Wireframing",
            "Usability Testing",
            "Interaction Design",
            "Visual Design",
            "Web Accessibility",
        ),
        (
            "design intuitive interfaces",
            "run usability studies",
            "prototype ideas quickly",
            "turn research into design decisions",
        ),
    ),
    Topic(
        "Digital Marketing",
        (
            "SEO",
            "Content Marketing",
            "Google Analytics",
            "Social Media Marketing",
            "Email Marketing",
            "Copywriting",
            "A/B Testing",
            "Marketing Strategy",
        ),
        (
            "grow an online audience",
            "measure campaign performance",
            "write copy that converts",
            "plan a content calendar",
        ),
    ),
    Topic(
        "Finance",
        (
            "Financial Modeling",
            "Accounting",
            "Excel",
            "Valuation",
            "Corporate Finance",
            "Financial Analysis",
            "Budgeting",
            "Risk Management",
        ),
        ("read financial statements", "build valuation models", "analyse investments", "forecast cash flow"),
    ),
    Topic(
        "Software Engineering",
        (
            "Java",
            "Python",
            "Git",
            "Software Testing",
            "Design Patterns",
            "Algorithms",
            "Data Structures",
            "Continuous Integration",
        ),
        (
            "write maintainable code",
            "design object-oriented systems",
            "test software thoroughly",
            "solve algorithmic problems",
        ),
    ),
    Topic(
        "Data Engineering",
        (
            "SQL",
            "Apache Spark",
            "Apache Kafka",
            "Airflow",
            "Python",
            "Data Modeling",
            "ETL",
            "Data Warehousing",
        ),
        (
            "build reliable data pipelines",
            "stream events in real time",
            "model analytical warehouses",
            "orchestrate batch jobs",
        ),
    ),
    Topic(
        "Leadership",
        (
            "Leadership",
            "Communication",
            "Coaching",
            "Negotiation",
            "Conflict Resolution",
            "Decision Making",
            "Emotional Intelligence",
            "Team Building",
        ),
        (
            "lead high-performing teams",
            "give useful feedback",
            "negotiate with confidence",
            "make decisions under uncertainty",
        ),
    ),
)

TITLE_PATTERNS = (
    "Introduction to {subject}",
    "{subject} Fundamentals",
    "Applied {subject} with {skill}",
    "{skill} for {subject}",
    "Mastering {skill}",
    "{subject}: From Zero to Professional",
    "Advanced {subject}",
    "Practical {skill} Bootcamp",
    "{skill} Essentials",
    "{subject} Specialization: {skill} and {skill2}",
)
DESCRIPTION_OPENERS = (
    "In this course you will learn to {phrase}.",
    "This hands-on course teaches you how to {phrase}.",
    "Learn how professionals {phrase}.",
)
DESCRIPTION_MIDDLES = (
    "You will work with {skill} and {skill2} on real-world projects.",
    "Weekly exercises cover {skill}, {skill2} and best practices in {subject_lower}.",
    "By the end you will be comfortable using {skill} to {phrase}.",
    "Case studies show how teams use {skill} and {skill2} every day.",
)
DESCRIPTION_CLOSERS = (
    "No prior experience is required.",
    "Some familiarity with {skill} is recommended.",
    "Ideal for anyone starting a career in {subject_lower}.",
    "Includes a capstone project and a shareable certificate.",
)
PROVIDERS = ("coursera", "edx", "udemy", "futurelearn", "internal")
LEVEL_WEIGHTS = (("beginner", 45), ("intermediate", 30), ("advanced", 15), ("mixed", 7), ("unknown", 3))
LANGUAGE_WEIGHTS = (("en", 70), ("es", 10), ("fr", 6), ("de", 6), ("pt", 5), ("ja", 3))
AVAILABILITY_WEIGHTS = (("available", 85), ("upcoming", 10), ("archived", 5))


def reference_skill_labels(limit: int = 400) -> list[str]:
    """ICT skill labels from the ESCO catalog, if the reference_data engine is installed (else empty).
    Kept for callers that want the vocabulary; courses no longer draw random labels from it."""
    try:
        # lazy: optional dependency, imported where its absence is handled
        from engines.reference_data.catalog import load_skills
    except ImportError:
        return []
    try:
        skills = load_skills()
    except OSError:
        return []
    return sorted(s.label for s in skills if s.ict)[:limit]


def text_skills(title: str, description: str, tags: list[str]) -> list[str]:
    """Tags plus ESCO skills named in the course's own text (tags only if the matcher is unavailable)."""
    try:
        # lazy: optional dependency, imported where its absence is handled
        from engines.recommendation.course_skills import course_skills
    except ImportError:
        return tags
    return course_skills(title, description, tags=tags)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def generate_course(rng: random.Random, number: int, tag_from_text: bool = False) -> CourseRecord:
    """One synthetic course; ``number`` makes the provider course id unique. With ``tag_from_text`` the
    skills are the topic's tags plus the ESCO skills its title and description name."""
    topic = rng.choice(TOPICS)
    skills = rng.sample(topic.skills, rng.randint(2, 5))
    skill, skill2 = skills[0], skills[1]
    fill = {
        "subject": topic.subject,
        "subject_lower": topic.subject.lower(),
        "skill": skill,
        "skill2": skill2,
        "phrase": rng.choice(topic.phrases),
    }
    title = rng.choice(TITLE_PATTERNS).format(**fill)
    description = " ".join(
        rng.choice(part).format(**fill)
        for part in (DESCRIPTION_OPENERS, DESCRIPTION_MIDDLES, DESCRIPTION_CLOSERS)
    )
    if tag_from_text:
        skills = text_skills(title, description, skills)
    provider = PROVIDERS[number % len(PROVIDERS)]
    paid = rng.random() < 0.6
    price = round(rng.choice((19.0, 29.0, 49.0, 79.0, 99.0, 149.0, 199.0)) + 0.99, 2) if paid else 0.0
    return CourseRecord.create(
        provider=provider,
        provider_course_id=f"c{number:07d}",
        title=title,
        description=description,
        url=f"https://{provider}.example.org/courses/c{number:07d}",
        skills=skills,
        level=_weighted(rng, LEVEL_WEIGHTS),
        language=_weighted(rng, LANGUAGE_WEIGHTS),
        duration_hours=round(rng.lognormvariate(2.3, 0.8), 1) if rng.random() < 0.95 else None,
        price=price,
        currency="USD" if paid else None,
        availability=_weighted(rng, AVAILABILITY_WEIGHTS),
        provider_updated_at=1_700_000_000_000 + number * 1000,
    )


def generate_courses(
    n: int, seed: int = 42, start: int = 0, use_reference_skills: bool = False
) -> Iterator[CourseRecord]:
    """``n`` deterministic synthetic courses (same seed and start -> same courses)."""
    rng = random.Random(f"{seed}:{start}")
    for number in range(start, start + n):
        yield generate_course(rng, number, use_reference_skills)
