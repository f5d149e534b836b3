"""Request guards shared by routes: per-user rate limits, and the erasure fence for uploads.

Rate limits (OWASP API4, unrestricted resource consumption): commands and resume uploads are limited per
subject with `limits` (moving window) on Redis, so every API process shares one budget per user. Over
the budget: 429 with `Retry-After`. Role `user` only: services and admins are backend components acting
for many users. If Redis is unreachable the limit fails open (logged): availability over strictness.

Erasure fence: `DELETE /users/{id}` records the request in Postgres (`erasure_requests`) before it
publishes ErasureRequested; from then on every command about the user answers 410 (the check is in
`ApiContext.publish`). A command that passed the check just before is published after the erasure in
the log, and the projections' fence (projections/applier.py) applies it as a no-op. Uploads check
the fence, and the user's key, both before they store the file and after; if either says the user is
being erased the upload deletes the user's files itself and answers 410. Either the upload's file was
stored before the fence was set (so before ErasureRequested exists, and the worker's erasure deletes
it), or the upload sees the fence and cleans up: no file outlives the erasure.
"""

from __future__ import annotations

import math
import time

import limits
import structlog
from fastapi import Depends, HTTPException, Request, status
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from api.auth import CurrentPrincipal
from api.context import ApiContext
from api.dependencies import Ctx

log = structlog.get_logger(__name__)


class RateLimits:
    """The per-user budgets of one app (one storage connection pool per app)."""

    def __init__(self, ctx: ApiContext) -> None:
        s = ctx.settings
        uri = s.redis_url if s.redis_url.startswith("async+") else f"async+{s.redis_url}"
        storage = storage_from_string(uri, implementation="redispy", key_prefix=f"{s.redis_prefix}ratelimit")
        self.limiter = MovingWindowRateLimiter(storage)  # type: ignore[arg-type]
        self.items = {
            "write": limits.parse_many(s.api_write_rate_limit),
            "upload": limits.parse_many(s.api_upload_rate_limit),
        }

    async def check(self, kind: str, subject: str) -> None:
        """Take one unit of `kind` for `subject`, or raise 429 with Retry-After."""
        for item in self.items[kind]:
            try:
                allowed = await self.limiter.hit(item, kind, subject)
                if allowed:
                    continue
                stats = await self.limiter.get_window_stats(item, kind, subject)
            except Exception as exc:  # Redis down: fail open, but say so
                log.warning("rate_limit_unavailable", error_type=type(exc).__name__)
                return
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                {"code": "rate_limited", "reason": f"Too many {kind}s: at most {item}. Retry later."},
                headers={"Retry-After": str(retry_after)},
            )


def _rate_limits(request: Request, ctx: ApiContext) -> RateLimits:
    limiter: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    if limiter is None:
        limiter = request.app.state.rate_limits = RateLimits(ctx)
    return limiter


async def limit_writes(request: Request, principal: CurrentPrincipal, ctx: Ctx) -> None:
    """Dependency for command routes: one unit of the caller's write budget."""
    if principal.role == "user":
        await _rate_limits(request, ctx).check("write", principal.subject)


async def limit_uploads(request: Request, principal: CurrentPrincipal, ctx: Ctx) -> None:
    """Dependency for uploads: one unit of the caller's upload budget (uploads are not also writes)."""
    if principal.role == "user":
        await _rate_limits(request, ctx).check("upload", principal.subject)


WriteLimited = Depends(limit_writes)
UploadLimited = Depends(limit_uploads)


async def mark_erasure(ctx: ApiContext, user_id: str) -> bool:
    """Called before ErasureRequested is published: from now on every command about this user answers
    410 (`ApiContext.publish`). Durable (Postgres `erasure_requests`): a Redis restart cannot lift it.
    Returns False when the user was already fenced (a repeated DELETE)."""
    async with ctx.pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO erasure_requests (user_id) VALUES (%s) ON CONFLICT DO NOTHING", (user_id,)
        )
        return cur.rowcount == 1


async def unmark_erasure(ctx: ApiContext, user_id: str) -> None:
    """The erasure could not be published: lift the fence this request set."""
    async with ctx.pool.connection() as conn:
        await conn.execute("DELETE FROM erasure_requests WHERE user_id = %s", (user_id,))


async def erasure_started(ctx: ApiContext, user_id: str) -> bool:
    """True once an erasure of this user was requested (fence) or carried out (key destroyed)."""
    return await ctx.erasure_started(user_id)
