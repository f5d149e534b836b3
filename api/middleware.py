"""The API's edge, as one plain-ASGI middleware (Starlette's BaseHTTPMiddleware runs every request
through an extra task and memory stream, which was a tenth of a cached search's time):

- correlation id: the request's `x-correlation-id` (else a new one) is bound to its logs, and so to the
  events it produces, and echoed in the response;
- security headers on every response (nosniff, no framing, no referrer, a CSP, no caching unless the
  route says otherwise);
- a request body limit: 413 before the app runs when Content-Length is over it, or as soon as the
  streamed body passes it; the body is never parsed or echoed;
- a last resort for unexpected exceptions: a bare 500 with the correlation id, and one log line with
  the exception type and where it was raised (no message, no stack trace, no request data).
"""

from __future__ import annotations

import re
import traceback
import uuid

import structlog
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import json_error
from kernel.logs import bind_contextvars, clear_contextvars

log = structlog.get_logger(__name__)

UPLOAD_PATH = re.compile(r"^/users/[^/]+/resumes/?$")
_API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs load FastAPI's Swagger UI / ReDoc bundles from their CDN and run inline scripts.
_DOCS_CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    b"font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    b"https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; frame-ancestors 'none'"
)
_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the limit (FastAPI re-raises HTTPExceptions
    met while reading the body, so the app answers it as a normal 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, {"code": "body_too_large", "reason": _too_large(limit)})


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit:,} bytes."


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST" and UPLOAD_PATH.match(scope["path"]):
            return self.max_upload_bytes
        return self.max_body_bytes

    # A pure-ASGI middleware is one function by design (Starlette's BaseHTTPMiddleware buffers bodies):
    # correlation id, body limits, timing and metrics share the request's receive/send wrappers.
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = ""
        length = -1
        for k, v in scope["headers"]:
            if k == b"x-correlation-id":
                cid = v.decode("latin-1")[:100]
            elif k == b"content-length":
                length = int(v) if v.isdigit() else -1
        cid = cid if cid.isprintable() and cid else str(uuid.uuid4())
        clear_contextvars()
        bind_contextvars(correlation_id=cid, path=scope["path"])
        path = scope["path"]
        csp = _DOCS_CSP if path.startswith(("/docs", "/redoc")) else _API_CSP
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in _SECURITY_HEADERS if h[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-correlation-id", cid.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        limit = self._limit(scope)
        if length > limit:
            response = json_error(413, {"code": "body_too_large", "reason": _too_large(limit)})
            response.headers["connection"] = "close"
            await response(scope, receive, send_with_headers)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as exc:
            if not started:
                await json_error(413, exc.detail, {"connection": "close"})(scope, receive, send_with_headers)
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            log.error(
                "unhandled_error",
                error_type=type(exc).__name__,
                where=f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}:{frame.name}" if frame else "",
                method=scope["method"],
            )
            if not started:
                body = {"code": "internal_error", "reason": f"Internal error (correlation id {cid})."}
                await json_error(500, body)(scope, receive, send_with_headers)
