"""Error bodies: one documented shape per kind, rendered so that rendering itself can never fail.

- Every error but 422 answers `{"detail": "<reason>"}` or, where a client needs a machine-readable code
  (resume intake, body limit, rate limit), `{"detail": {"code": ..., "reason": ...}}` (`ErrorOut`).
- Every 422 answers `{"detail": {"code", "reason", "errors": [{"loc", "msg", "type"}]}}`
  (`ValidationErrorOut`), whether pydantic, a route or the resume intake refused the input.
- Bodies never echo the request: pydantic's `input`/`ctx` are dropped, strings are cut to a bounded
  length, lone surrogates become U+FFFD and non-finite numbers `null`, so the JSON encoder can't fail.
- An unexpected exception answers a bare 500 with the correlation id; the log gets the exception type
  and where it was raised, never its message (which may quote personal data) or a stack trace.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from psycopg import OperationalError
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from queries.consistency import InvalidToken, NotYetApplied
from streams.producer import PublishError

MAX_TEXT = 300
MAX_ISSUES = 20
MAX_LOC = 64  # a field name from the request is echoed at most this long
UNPROCESSABLE = 422


class Reason(BaseModel):
    code: str = Field(description="Machine-readable reason, e.g. file_too_large, rate_limited")
    reason: str = Field(description="What went wrong, for a person")


class ErrorOut(BaseModel):
    """Every error response but 422."""

    detail: str | Reason


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="Where: body / query / path / header, then the field path")
    msg: str
    type: str


class ValidationDetail(Reason):
    errors: list[ValidationIssue] = Field(default_factory=list)


class ValidationErrorOut(BaseModel):
    """Every 422 response."""

    detail: ValidationDetail


_DESCRIPTIONS = {
    400: "Malformed consistency token (unknown topic or partition, negative offset) or multipart body",
    401: "Missing, malformed, expired or otherwise invalid bearer token",
    403: "The caller may not access this user's data (or an auditor tried to write)",
    404: "Not found",
    409: "The read model has not applied the consistency token's event yet; retry after Retry-After",
    410: "This user's data was erased",
    413: "The request body or the uploaded file is too large",
    415: "The uploaded file is not a PDF, a Word (.docx) document or plain text",
    422: "The input is invalid",
    429: "Rate limit exceeded; retry after Retry-After seconds",
    503: "A backing service (event log, database) is unavailable; retry shortly",
    504: "No reply within the wait: the message is in the log and its reply joins the conversation later",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for these error statuses, each with its body model (and headers)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "model": ValidationErrorOut if code == UNPROCESSABLE else ErrorOut,
            "description": _DESCRIPTIONS[code],
        }
        if code in (409, 429, 503):
            entry["headers"] = _RETRY_AFTER
        out[code] = entry
    return out


def _clean(value: Any, depth: int = 0) -> Any:
    """A JSON-safe, bounded copy: no lone surrogates, no NaN/Infinity, no huge strings or containers."""
    if depth > 8:
        return None
    if isinstance(value, str):
        text = value[:MAX_TEXT]
        return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(_clean(str(k), depth + 1)): _clean(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1) for v in list(value)[:50]]
    return _clean(str(value), depth + 1)


def json_error(status_code: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
    """Render `{"detail": ...}`; total: whatever `detail` holds, this returns a valid JSON response."""
    try:
        body = json.dumps({"detail": _clean(detail)}, ensure_ascii=False, allow_nan=False).encode()
    except Exception:  # pragma: no cover - _clean makes this unreachable; still never fail
        body = b'{"detail":"error"}'
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def validation_detail(
    reason: str, issues: Iterable[dict[str, Any]] = (), code: str = "validation_error"
) -> dict[str, Any]:
    errors = [
        {
            "loc": [x if isinstance(x, int) else str(x)[:MAX_LOC] for x in issue.get("loc", ())][:10],
            "msg": str(issue.get("msg", "")),
            "type": str(issue.get("type", "value_error")),
        }
        for issue in list(issues)[:MAX_ISSUES]
    ]
    return {"code": code, "reason": reason, "errors": errors}


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    try:
        issues = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
        first = issues[0] if issues else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        reason = f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input"
        detail = validation_detail(reason, issues)
    except Exception:
        detail = validation_detail("invalid input")
    return json_error(UNPROCESSABLE, detail)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    detail: Any = exc.detail
    if exc.status_code == status.HTTP_400_BAD_REQUEST and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers 400 for a JSON body that isn't UTF-8 but 422 for one that isn't JSON: one answer.
        msg = "the body is not UTF-8 encoded JSON"
        issue = {"loc": ["body"], "msg": msg, "type": "json_invalid"}
        return json_error(UNPROCESSABLE, validation_detail(msg, [issue]))
    if exc.status_code == UNPROCESSABLE:
        if isinstance(detail, dict) and "code" in detail:
            detail = validation_detail(str(detail.get("reason", "")), (), code=str(detail["code"]))
        else:
            detail = validation_detail(str(detail))
    return json_error(exc.status_code, detail, headers)


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    what = "event log" if isinstance(exc, PublishError) else "database"
    if isinstance(exc, RedisError):
        what = "cache"
    return json_error(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        f"the {what} is unavailable; retry shortly",
        {"Retry-After": "1"},
    )


async def _on_invalid_token(request: Request, exc: Exception) -> Response:
    return json_error(status.HTTP_400_BAD_REQUEST, str(exc))


async def _on_not_yet_applied(request: Request, exc: Exception) -> Response:
    return json_error(status.HTTP_409_CONFLICT, str(exc), {"Retry-After": "1"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    # The read side's consistency wait (queries/consistency.py): a token no command returned, or a
    # projection that has not caught up with it within the wait budget.
    app.add_exception_handler(InvalidToken, _on_invalid_token)
    app.add_exception_handler(NotYetApplied, _on_not_yet_applied)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # Redis down (restarting): 503 like the database, not a bare 500 (`careerstream chaos restart-redis`).
    for unavailable in (PublishError, PoolTimeout, OperationalError, RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(unavailable, _on_unavailable)
