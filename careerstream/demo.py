"""Demo data for `make run`: a few users with profiles, created through the public API like any client."""

from __future__ import annotations

import asyncio
import time

import httpx

from api.auth import mint_token
from careerstream.corpora.courses import generate_courses
from connectors.kafka_publisher import KafkaCoursePublisher
from kernel.config import Settings

DEMO_USERS = [
    (
        "demo-ada",
        "ada@example.org",
        "Ada",
        ["Python", "SQL", "machine learning", "statistics"],
        ["data science"],
        "master",
        4.0,
        "Become a machine learning engineer",
    ),
    (
        "demo-grace",
        "grace@example.org",
        "Grace",
        ["Java", "Kubernetes", "CI/CD", "Linux"],
        ["cloud"],
        "bachelor",
        7.0,
        "Lead a platform engineering team",
    ),
    (
        "demo-linus",
        "linus@example.org",
        "Linus",
        ["customer service", "Excel", "bookkeeping"],
        ["finance"],
        "high_school",
        2.0,
        "Move into accounting",
    ),
]


DEMO_COURSES = 2000


def seed_courses(settings: Settings) -> None:
    """Publish a synthetic course catalog as CourseUpserted events (what a provider sync emits)."""

    publisher = KafkaCoursePublisher(settings)
    try:
        asyncio.run(publisher(list(generate_courses(DEMO_COURSES, seed=7, use_reference_skills=True)), []))
    finally:
        publisher.close()


def seed_demo(settings: Settings) -> None:
    """Register the demo users and their profiles and publish a course catalog; prints a token to try."""
    seed_courses(settings)
    base = f"http://{settings.api_host}:{settings.api_port}"
    service = mint_token(
        settings.jwt_secret, "demo-seeder", "service", settings.jwt_issuer, audience=settings.jwt_audience
    )
    headers = {"Authorization": f"Bearer {service}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for user_id, email, name, skills, interests, edu, years, goals in DEMO_USERS:
            client.post(
                "/users", json={"user_id": user_id, "email": email, "display_name": name}
            ).raise_for_status()
            r = client.put(
                f"/users/{user_id}/profile",
                json={
                    "skills": skills,
                    "interests": interests,
                    "education_level": edu,
                    "years_experience": years,
                    "career_goals": goals,
                },
            )
            r.raise_for_status()
        token = r.json()["consistency_token"]
        # The first start of a worker joins its consumer group before it applies anything: honour the
        # API's 409 + Retry-After until the demo data is visible.
        deadline = time.monotonic() + 120
        while True:
            profile = client.get(f"/users/{DEMO_USERS[-1][0]}/profile", params={"consistency_token": token})
            if profile.status_code != 409 or time.monotonic() > deadline:
                break
            time.sleep(float(profile.headers.get("retry-after", "1")))
        profile.raise_for_status()
    user_token = mint_token(
        settings.jwt_secret,
        "demo-ada",
        "user",
        settings.jwt_issuer,
        ttl_s=86400,
        audience=settings.jwt_audience,
    )
    print(
        f"Seeded {len(DEMO_USERS)} demo users and {DEMO_COURSES} courses. Try:\n"
        f"  curl -H 'Authorization: Bearer {user_token}' {base}/users/demo-ada/profile\n"
        f"  curl -H 'Authorization: Bearer {user_token}' '{base}/users/demo-ada/recommendations?k=5'\n"
        f"  curl -H 'Authorization: Bearer {user_token}' '{base}/courses/search?q=machine+learning'",
        flush=True,
    )
