"""The background load a fault is injected under: simulated users (each with its own `user` token,
well under the per-user rate limits) writing profiles and reading profiles and recommendations, at a
paced total rate, in a thread of its own. Every request is kept as a sample (time, kind, outcome),
every acknowledged write by event id, every acknowledged resume upload by blob."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.auth import mint_token
from kernel.config import Settings

SKILLS = ["Python", "SQL", "Java", "Excel", "statistics", "Linux", "project management", "accounting"]


@dataclass
class Sample:
    t: float  # time.monotonic() when sent
    kind: str
    status: str  # "200", "202", "503", "ConnectError", ...
    ms: float

    @property
    def ok(self) -> bool:
        return self.status.isdigit() and 200 <= int(self.status) < 300


@dataclass
class Upload:
    user: str
    resume_id: str
    sha256: str
    event_id: str


@dataclass
class ChaosLoad:
    settings: Settings
    base_url: str
    users: int = 60
    rate: float = 40.0  # requests per second, all kinds
    uploads: bool = False  # also upload resumes (the disk-full scenario)
    samples: list[Sample] = field(default_factory=list)
    acked: dict[str, str] = field(default_factory=dict)  # event id -> user, every 202
    uploaded: list[Upload] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def user(self, i: int) -> str:
        return f"{self.settings.topic_prefix}-u{i}"

    def headers(self, user: str) -> dict[str, str]:
        s = self.settings
        token = mint_token(s.jwt_secret, user, "user", s.jwt_issuer, 6 * 3600, s.jwt_audience)
        return {"Authorization": f"Bearer {token}"}

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    async def _run(self) -> None:
        rng = random.Random(7)
        headers = {i: self.headers(self.user(i)) for i in range(self.users)}
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=15, limits=limits) as http:
            in_flight: set[asyncio.Task[None]] = set()
            start = time.monotonic()
            sent = 0
            while not self._stop.is_set():
                now = time.monotonic()
                while sent < (now - start) * self.rate and len(in_flight) < 200:
                    i = rng.randrange(self.users)
                    roll = rng.random()
                    if self.uploads and roll < 0.15:
                        coro = self._upload(http, i, headers[i], rng)
                    elif roll < 0.55:
                        coro = self._write(http, i, headers[i], rng)
                    elif roll < 0.8:
                        coro = self._read(http, "GET profile", f"/users/{self.user(i)}/profile", headers[i])
                    else:
                        coro = self._read(
                            http,
                            "GET recommendations",
                            f"/users/{self.user(i)}/recommendations?k=5&courses=false",
                            headers[i],
                        )
                    task = asyncio.create_task(coro)
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    sent += 1
                await asyncio.sleep(0.01)
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    async def _call(self, kind: str, coro: Any) -> httpx.Response | None:
        t = time.monotonic()
        try:
            r = await coro
        except httpx.HTTPError as exc:
            self.samples.append(Sample(t, kind, type(exc).__name__, (time.monotonic() - t) * 1000))
            return None
        self.samples.append(Sample(t, kind, str(r.status_code), (time.monotonic() - t) * 1000))
        return r

    async def _write(
        self, http: httpx.AsyncClient, i: int, headers: dict[str, str], rng: random.Random
    ) -> None:
        body = {
            "skills": rng.sample(SKILLS, 3),
            "location": f"city-{rng.randrange(1000)}",
            "years_experience": 3,
        }
        r = await self._call(
            "PUT profile", http.put(f"/users/{self.user(i)}/profile", json=body, headers=headers)
        )
        if r is not None and r.status_code == 202:
            self.acked[r.json()["event_id"]] = self.user(i)

    async def _read(self, http: httpx.AsyncClient, kind: str, path: str, headers: dict[str, str]) -> None:
        await self._call(kind, http.get(path, headers=headers))

    async def _upload(
        self, http: httpx.AsyncClient, i: int, headers: dict[str, str], rng: random.Random
    ) -> None:
        text = f"Resume {rng.random()}\n\nSKILLS\nPython, SQL, {rng.choice(SKILLS)}\n" + "x" * 20_000
        files = {"file": ("resume.txt", text.encode(), "text/plain")}
        r = await self._call(
            "POST resume", http.post(f"/users/{self.user(i)}/resumes", files=files, headers=headers)
        )
        if r is not None and r.status_code == 202:
            doc = r.json()
            self.acked[doc["event_id"]] = self.user(i)
            self.uploaded.append(Upload(self.user(i), doc["resume_id"], doc["blob_sha256"], doc["event_id"]))
