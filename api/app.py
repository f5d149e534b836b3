"""The FastAPI application: commands publish events, queries read projections."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.context import ApiContext
from api.routes import courses as course_routes
from api.routes import gdpr, ops, resumes, schemas, users
from api.routes import recommendations as recommendations_routes
from careerstream.config import Settings, get_settings
from careerstream.logs import bind_contextvars, clear_contextvars


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; resources open in the lifespan so importing this module does no I/O."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ctx = await ApiContext.open(settings)
        try:
            yield
        finally:
            await app.state.ctx.close()

    app = FastAPI(title="CareerStream API", version="0.1.0", lifespan=lifespan)

    app.add_middleware(CorrelationIdMiddleware)

    app.include_router(ops.router)
    app.include_router(schemas.router)
    app.include_router(users.router)
    app.include_router(gdpr.router)
    app.include_router(recommendations_routes.router)
    app.include_router(resumes.router)
    app.include_router(course_routes.router)  # issue 5: course search
    return app


class CorrelationIdMiddleware:
    """Binds the request's correlation id (its `x-correlation-id` header, else a new one) to its logs,
    and so to the events it produces, and echoes it in the response.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs every request
    through an extra task and memory stream, which was a tenth of a cached search's time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), "")
        cid = cid or str(uuid.uuid4())
        clear_contextvars()
        bind_contextvars(correlation_id=cid, path=scope["path"])

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-correlation-id"] = cid
            await send(message)

        await self.app(scope, receive, send_with_id)
