"""The FastAPI application: commands publish events, queries read projections."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

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

    @app.middleware("http")
    async def correlation(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Correlation ids tie a request's logs to the events it produced.
        cid = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        clear_contextvars()
        bind_contextvars(correlation_id=cid, path=request.url.path)
        response = await call_next(request)
        response.headers["x-correlation-id"] = cid
        return response

    app.include_router(ops.router)
    app.include_router(schemas.router)
    app.include_router(users.router)
    app.include_router(gdpr.router)
    app.include_router(recommendations_routes.router)
    app.include_router(resumes.router)
    app.include_router(course_routes.router)  # issue 5: course search
    return app
