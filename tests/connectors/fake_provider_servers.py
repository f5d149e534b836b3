"""Local HTTP servers that behave like the providers' real APIs.

They page, authenticate, answer 429/500, respond slowly and serve malformed records on demand.

Each fake is a plain callable app served by ``http.server.ThreadingHTTPServer`` on 127.0.0.1 in a thread.
Fault injection: push (status, retry_after) pairs on ``fail_queue``; set ``delay_s`` for slow answers.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SeenRequest:
    at: float
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


App = Callable[[str, str, dict[str, str], dict[str, str], bytes], Reply]


class FakeServer:
    """Serve an app on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app: App) -> None:
        self.app = app
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = outer.app(self.command, parts.path, query, dict(self.headers.items()), body)
                payload = (
                    b""
                    if reply.body is None
                    else (reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode())
                )
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if reply.status != 304:
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if reply.status != 304:
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # client timed out and left
                    pass

            do_GET = _handle
            do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FaultInjection:
    """Shared request log, injected failures and latency."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[SeenRequest] = []
        self.fail_queue: deque[tuple[int, str | None]] = deque()
        self.always_fail: int | None = None
        self.delay_s = 0.0

    def record(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply | None:
        with self.lock:
            self.requests.append(SeenRequest(time.monotonic(), method, path, query, headers))
            failure = self.fail_queue.popleft() if self.fail_queue else None
            delay = self.delay_s
        if delay:
            time.sleep(delay)
        if self.always_fail is not None:
            return Reply(self.always_fail, {"error": "down"})
        if failure:
            status, retry_after = failure
            return Reply(status, {"error": "injected"}, {"Retry-After": retry_after} if retry_after else {})
        return None

    def count(self, path_prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.startswith(path_prefix))


def coursera_element(i: int, **overrides: Any) -> dict[str, Any]:
    """A course in Coursera's catalog shape."""
    element = {
        "id": f"crs{i:04d}",
        "slug": f"course-{i}",
        "name": f"Course {i}: Python for Data",
        "description": f"<p>Learn <b>Python</b> and SQL, part {i}.</p>",
        "primaryLanguages": ["en-US"],
        "skills": ["Python", "SQL"],
        "level": "BEGINNER",
        "workload": "Approx. 12 hours to complete",
        "price": {"amount": 49.0, "currency": "usd"},
        "status": "launched",
        "lastUpdatedAt": 1_700_000_000_000 + i,
    }
    element.update(overrides)
    return element


class FakeCourseraApp(FaultInjection):
    """``GET /api/courses.v1?start=&limit=`` with bearer token, ETags, details by id."""

    def __init__(self, elements: list[Any], token: str = "coursera-secret") -> None:
        super().__init__()
        self.elements = elements
        self.token = token

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        injected = self.record(method, path, query, headers)
        if injected:
            return injected
        if headers.get("Authorization") != f"Bearer {self.token}":
            return Reply(401, {"errorCode": "Not Authorized"})
        if path == "/api/courses.v1":
            start, limit = int(query.get("start", 0)), int(query.get("limit", 100))
            page = self.elements[start : start + limit]
            nxt = start + limit
            paging: dict[str, Any] = {"total": len(self.elements)}
            if nxt < len(self.elements):
                paging["next"] = str(nxt)
            payload = {"elements": page, "paging": paging}
            etag = '"' + hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16] + '"'
            if headers.get("If-None-Match") == etag:
                return Reply(304, None, {"ETag": etag})
            return Reply(200, payload, {"ETag": etag})
        if path.startswith("/api/courses.v1/"):
            cid = path.rsplit("/", 1)[1]
            found = [e for e in self.elements if isinstance(e, dict) and e.get("id") == cid]
            return Reply(200, {"elements": found}) if found else Reply(404, {"errorCode": "NotFound"})
        return Reply(404, {"errorCode": "NotFound"})


def edx_course(i: int, modified: str = "2024-01-01T00:00:00Z", **overrides: Any) -> dict[str, Any]:
    """A course in edX discovery's shape."""
    course = {
        "key": f"EdX+CS{i:03d}",
        "uuid": f"uuid-{i}",
        "title": f"Cloud Computing {i}",
        "short_description": f"Kubernetes and Docker in practice ({i}).",
        "level_type": "Intermediate",
        "modified": modified,
        "marketing_url": f"https://www.edx.org/course/cs{i}",
        "skill_names": ["Kubernetes", "Docker"],
        "course_runs": [
            {
                "key": f"run-{i}-old",
                "availability": "Archived",
                "content_language": "en-us",
                "weeks_to_complete": 4,
                "min_effort": 2,
                "max_effort": 4,
                "seats": [],
            },
            {
                "key": f"run-{i}",
                "availability": "Current",
                "content_language": "en-us",
                "weeks_to_complete": 6,
                "min_effort": 3,
                "max_effort": 5,
                "seats": [
                    {"type": "audit", "price": "0.00", "currency": "USD"},
                    {"type": "verified", "price": "99.00", "currency": "USD"},
                ],
            },
        ],
    }
    course.update(overrides)
    return course


class FakeEdxApp(FaultInjection):
    """OAuth2 client credentials + ``GET /api/v1/courses/?page=&page_size=&modified_since=``."""

    def __init__(
        self,
        courses: list[Any],
        client_id: str = "cid",
        client_secret: str = "csecret",
        token_ttl_s: int = 3600,
    ) -> None:
        super().__init__()
        self.courses = courses
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl_s = token_ttl_s
        self.tokens: dict[str, float] = {}
        self.tokens_issued = 0
        self.base_url = ""

    def expire_all_tokens(self) -> None:
        with self.lock:
            self.tokens = {t: 0.0 for t in self.tokens}

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        injected = self.record(method, path, query, headers)
        if injected:
            return injected
        if path == "/oauth2/access_token" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials",
                self.client_id,
                self.client_secret,
            ):
                return Reply(401, {"error": "invalid_client"})
            with self.lock:
                self.tokens_issued += 1
                token = f"tok-{self.tokens_issued}"
                self.tokens[token] = time.monotonic() + self.token_ttl_s
            return Reply(200, {"access_token": token, "expires_in": self.token_ttl_s, "token_type": "JWT"})
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("JWT ")
        if not auth.startswith("JWT ") or self.tokens.get(token, 0.0) < time.monotonic():
            return Reply(401, {"detail": "Token expired or invalid"})
        if path == "/api/v1/courses/":
            items = self.courses
            if "modified_since" in query:
                since = datetime.fromisoformat(query["modified_since"].replace("Z", "+00:00"))
                items = [
                    c
                    for c in items
                    if isinstance(c, dict)
                    and datetime.fromisoformat(c["modified"].replace("Z", "+00:00")) >= since
                ]
            page, size = int(query.get("page", 1)), int(query.get("page_size", 20))
            chunk = items[(page - 1) * size : page * size]

            def link(p: int) -> str:
                return f"{self.base_url}/api/v1/courses/?" + urlencode({**query, "page": p})

            return Reply(
                200,
                {
                    "count": len(items),
                    "next": link(page + 1) if page * size < len(items) else None,
                    "previous": link(page - 1) if page > 1 else None,
                    "results": chunk,
                },
            )
        if path.startswith("/api/v1/courses/"):
            key = path.rstrip("/").rsplit("/", 1)[1]
            found = [c for c in self.courses if isinstance(c, dict) and c.get("key") == key]
            return Reply(200, found[0]) if found else Reply(404, {"detail": "Not found."})
        return Reply(404, {"detail": "Not found."})
