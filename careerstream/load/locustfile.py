"""Simulated CareerStream users for Locust (`careerstream load` runs this file headless).

Each simulated user is a person with think time between actions (LOAD_THINK_MIN_S..LOAD_THINK_MAX_S):
registers (its own `user` token), fills a profile, reads recommendations, searches courses (with
typos and filters), saves and rates careers, uploads a resume and polls its analysis, exports their
data and, at the end of a lifetime of LOAD_LIFETIME actions, deletes the account and starts over as a
new person. Per-user rate limits (role `user`: 120 commands/minute, 20 uploads/minute) are respected
by construction: one action per think time (>= 1 s) means at most a few commands a minute per user.

Besides Locust's own per-endpoint statistics, every write whose read model we wait for adds a line
`kind,ms` to $CS_LOAD_OUT/visible-<pid>.csv: the time from the command's 202 until a query carrying its
consistency token answered (the read model shows it), as pseudo-requests would skew Locust's totals.
At the end, the master (or the only process) writes $CS_LOAD_OUT/summary-locust.json: per-endpoint
figures and merged response-time histograms for reads and writes.
"""

from __future__ import annotations

import json
import os
import random
import string
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task
from locust.runners import MasterRunner, WorkerRunner

from api.auth import mint_token
from engines.reference_data.catalog import careers_by_id

OUT = Path(os.environ.get("CS_LOAD_OUT", "bench-results/load"))
RUN = os.environ.get("CS_LOAD_RUN", "load")
SECRET = os.environ.get("CS_LOAD_JWT_SECRET", "")
ISSUER = os.environ.get("CS_LOAD_JWT_ISSUER", "careerstream")
AUDIENCE = os.environ.get("CS_LOAD_JWT_AUDIENCE", "careerstream-api")
THINK = (float(os.environ.get("LOAD_THINK_MIN_S", "3")), float(os.environ.get("LOAD_THINK_MAX_S", "12")))
LIFETIME = int(os.environ.get("LOAD_LIFETIME", "25"))  # actions before a user deletes its account
POLL_LIMIT = 20

SKILLS = [
    "Python",
    "SQL",
    "Java",
    "project management",
    "data analysis",
    "machine learning",
    "Excel",
    "customer service",
    "Kubernetes",
    "accounting",
    "teaching",
    "marketing",
    "nursing",
    "welding",
    "graphic design",
    "statistics",
    "Linux",
    "sales",
    "bookkeeping",
    "JavaScript",
    "communication",
]
INTERESTS = ["data science", "cloud", "finance", "healthcare", "education", "design", "engineering"]
QUERIES = [
    "python",
    "data science",
    "machine learning",
    "project management",
    "accounting",
    "marketing",
    "kubernetes",
    "excel",
    "leadership",
    "statistics",
    "web development",
    "nursing",
    "design",
    "sql databases",
    "cloud computing",
    "finance",
    "communication skills",
    "java programming",
]
LEVELS = ["beginner", "intermediate", "advanced"]
_VISIBLE_FILE: Any = None
_CAREERS: list[str] = []


def careers() -> list[str]:
    global _CAREERS
    if not _CAREERS:
        ids = sorted(careers_by_id())
        _CAREERS = random.Random(7).sample(ids, 300)
    return _CAREERS


def typo(word: str, rng: random.Random) -> str:
    """One edit: drop, swap or replace a letter (what search must tolerate)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def record_visible(kind: str, ms: float) -> None:
    global _VISIBLE_FILE
    if _VISIBLE_FILE is None:
        OUT.mkdir(parents=True, exist_ok=True)
        _VISIBLE_FILE = open(OUT / f"visible-{os.getpid()}.csv", "a", buffering=1)  # noqa: SIM115
    _VISIBLE_FILE.write(f"{kind},{ms:.2f},{time.time():.3f}\n")


def resume_text(rng: random.Random, name: str) -> bytes:
    skills = ", ".join(rng.sample(SKILLS, 6))
    return (
        f"{name}\n{name.lower()}@example.org\n\nSUMMARY\nExperienced professional.\n\n"
        f"EXPERIENCE\nSenior Analyst, Example Corp, 2019 - 2024\n- Built reports with {skills}.\n\n"
        f"EDUCATION\nBSc Computer Science, Example University, 2015 - 2019\n\nSKILLS\n{skills}\n"
    ).encode()


def multipart(fields: dict[str, str], file_name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class CareerUser(FastHttpUser):
    wait_time = between(*THINK)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.rng = random.Random()
        self.begin()

    # ---- lifecycle -------------------------------------------------------------------------
    def begin(self) -> None:
        self.user_id = f"{RUN}-{uuid.uuid4().hex[:12]}"
        token = mint_token(SECRET, self.user_id, "user", ISSUER, 6 * 3600, AUDIENCE)
        self.auth = {"Authorization": f"Bearer {token}"}
        self.actions = 0
        self.lifetime = self.rng.randint(LIFETIME // 2, LIFETIME * 3 // 2)
        self.profile_token: str | None = None
        self.client.post(
            "/users",
            json={
                "user_id": self.user_id,
                "email": f"{self.user_id}@example.org",
                "display_name": "Load User",
            },
            headers=self.auth,
            name="POST /users",
        )
        self.wait()
        self.put_profile(check_visible=True)

    def count(self) -> None:
        self.actions += 1
        if self.actions >= self.lifetime:
            self.wait()
            self.client.delete(f"/users/{self.user_id}", headers=self.auth, name="DELETE /users/{id}")
            self.wait()
            self.begin()

    def put_profile(self, check_visible: bool) -> None:
        body = {
            "skills": self.rng.sample(SKILLS, self.rng.randint(3, 8)),
            "interests": self.rng.sample(INTERESTS, 2),
            "education_level": self.rng.choice(["bachelor", "master", "high_school"]),
            "years_experience": round(self.rng.uniform(0, 25), 1),
            "location": self.rng.choice(["Berlin", "Lisbon", "Austin", "Nairobi"]),
            "career_goals": "Grow into a senior role",
        }
        with self.client.put(
            f"/users/{self.user_id}/profile",
            json=body,
            headers=self.auth,
            name="PUT /users/{id}/profile",
            catch_response=True,
        ) as r:
            if r.status_code != 202:
                r.failure(f"status {r.status_code}")
                return
            acked = time.perf_counter()
            self.profile_token = r.json()["consistency_token"]
        if check_visible:
            self.read_profile(self.profile_token, acked)

    def read_profile(self, token: str | None, acked: float | None = None) -> None:
        params = f"?consistency_token={token}" if token else ""
        with self.client.get(
            f"/users/{self.user_id}/profile{params}",
            headers=self.auth,
            name="GET /users/{id}/profile",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif acked is not None:
                record_visible("profile", (time.perf_counter() - acked) * 1000)

    # ---- tasks -----------------------------------------------------------------------------
    @task(4)
    def update_profile(self) -> None:
        self.put_profile(check_visible=True)
        self.count()

    @task(6)
    def recommendations(self) -> None:
        token = self.profile_token
        self.profile_token = None  # the first read after a write waits for it; later ones don't
        params = f"&consistency_token={token}" if token else ""
        with self.client.get(
            f"/users/{self.user_id}/recommendations?k=10{params}",
            headers=self.auth,
            name="GET /users/{id}/recommendations",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
        self.count()

    @task(8)
    def search(self) -> None:
        words = self.rng.choice(QUERIES).split()
        if self.rng.random() < 0.4:
            words = [typo(w, self.rng) for w in words]
        params: list[str] = [f"q={'+'.join(words)}", "size=10"]
        if self.rng.random() < 0.3:
            params.append(f"level={self.rng.choice(LEVELS)}")
        if self.rng.random() < 0.2:
            params.append(f"free={self.rng.choice(['true', 'false'])}")
        if self.rng.random() < 0.2:
            params.append(f"max_hours={self.rng.choice([5, 10, 20, 40])}")
        if self.rng.random() < 0.2:
            params.append(f"user_id={self.user_id}")
        with self.client.get(
            "/courses/search?" + "&".join(params),
            headers=self.auth,
            name="GET /courses/search",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
        self.count()

    @task(3)
    def save_and_rate(self) -> None:
        career = self.rng.choice(careers())
        rated = self.rng.random() < 0.5
        body: dict[str, Any] = {
            "career_id": career,
            "action": "rated" if rated else "saved",
            "source": "recommendations",
        }
        if rated:
            body["rating"] = self.rng.randint(1, 5)
        with self.client.post(
            f"/users/{self.user_id}/interactions",
            json=body,
            headers=self.auth,
            name="POST /users/{id}/interactions",
            catch_response=True,
        ) as r:
            if r.status_code != 202:
                r.failure(f"status {r.status_code}")
            else:
                acked = time.perf_counter()
                token = r.json()["consistency_token"]
                with self.client.get(
                    f"/users/{self.user_id}/recommendations?k=10&courses=false&consistency_token={token}",
                    headers=self.auth,
                    name="GET /users/{id}/recommendations",
                    catch_response=True,
                ) as g:
                    if g.status_code != 200:
                        g.failure(f"status {g.status_code}")
                    else:
                        record_visible("interaction", (time.perf_counter() - acked) * 1000)
        self.count()

    @task(1)
    def upload_resume(self) -> None:
        body, content_type = multipart(
            {"target_role": "data analyst"}, "resume.txt", resume_text(self.rng, "Load User")
        )
        with self.client.post(
            f"/users/{self.user_id}/resumes",
            data=body,  # type: ignore[arg-type]  # geventhttpclient sends bytes as they are
            headers={**self.auth, "Content-Type": content_type},
            name="POST /users/{id}/resumes",
            catch_response=True,
        ) as r:
            if r.status_code != 202:
                r.failure(f"status {r.status_code}")
                self.count()
                return
            acked = time.perf_counter()
            doc = r.json()
        for _ in range(POLL_LIMIT):
            with self.client.get(
                f"/users/{self.user_id}/resumes/{doc['resume_id']}/analysis"
                f"?consistency_token={doc['consistency_token']}",
                headers=self.auth,
                name="GET /users/{id}/resumes/{rid}/analysis",
                catch_response=True,
            ) as g:
                if g.status_code != 200:
                    g.failure(f"status {g.status_code}")
                    break
                if g.json().get("status") != "pending":
                    record_visible("resume_analysis", (time.perf_counter() - acked) * 1000)
                    break
            time.sleep(1.0)  # gevent-patched: yields to other users
        self.count()

    @task(1)
    def export(self) -> None:
        with self.client.get(
            f"/users/{self.user_id}/export",
            headers=self.auth,
            name="GET /users/{id}/export",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
        self.count()


def _percentiles(hist: Counter[int], qs: tuple[float, ...] = (0.5, 0.95, 0.99)) -> dict[str, float | None]:
    total = sum(hist.values())
    out: dict[str, float | None] = {}
    for q in qs:
        key = f"p{round(q * 100)}"
        if not total:
            out[key] = None
            continue
        target, seen = q * total, 0
        for value in sorted(hist):
            seen += hist[value]
            if seen >= target:
                out[key] = float(value)
                break
    return out


@events.quitting.add_listener
def _write_summary(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    stats = environment.stats
    endpoints = []
    reads: Counter[int] = Counter()
    writes: Counter[int] = Counter()
    for (name, method), entry in sorted(stats.entries.items()):
        hist = Counter({int(k): v for k, v in entry.response_times.items()})
        (reads if method == "GET" else writes).update(hist)
        endpoints.append(
            {
                "method": method,
                "name": name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": round(entry.total_rps, 2),
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "p99_ms": entry.get_response_time_percentile(0.99),
                "max_ms": round(entry.max_response_time or 0, 1),
            }
        )
    total = stats.total
    failures = [
        {"method": f.method, "name": f.name, "error": str(f.error), "count": f.occurrences}
        for f in stats.errors.values()
    ]
    summary = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "started": total.start_time,
        "last_request": total.last_request_timestamp,
        "read": _percentiles(reads),
        "write": _percentiles(writes),
        "endpoints": endpoints,
        "errors": sorted(failures, key=lambda f: -f["count"])[:30],
        "processes": "master" if isinstance(environment.runner, MasterRunner) else "local",
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary-locust.json").write_text(json.dumps(summary, indent=1))
