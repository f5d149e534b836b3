"""The FastAPI application: commands publish events, queries read projections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.consistency import document_token_patterns
from api.context import ApiContext
from api.errors import install_error_handlers
from api.middleware import EdgeMiddleware
from api.routes import audit as audit_routes
from api.routes import chat as chat_routes
from api.routes import courses as course_routes
from api.routes import gdpr, ops, resumes, schemas, users
from api.routes import recommendations as recommendations_routes
from kernel.config import Settings, get_settings

DESCRIPTION = """Commands answer `202` with the event's position and a `consistency_token`; queries given
that token answer once the read model has applied it (else `409` with `Retry-After`).

Every route but `/healthz`, `/metrics`, `/openapi.json` and `/schemas` needs a bearer JWT (HS256, with
`sub`, `role`, `iss`, `aud` and `exp`). Errors answer `{"detail": ...}`; every `422` has the same shape,
`{"detail": {"code", "reason", "errors": [{"loc", "msg", "type"}]}}`. Commands and uploads are rate
limited per user (`429` with `Retry-After`); request bodies are limited in size (`413`)."""


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

    app = FastAPI(title="CareerStream API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings  # what routes that need no connections read (e.g. /schemas)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.api_max_body_bytes,
        max_upload_bytes=settings.resume_max_bytes + settings.api_max_body_bytes,
    )
    install_error_handlers(app)
    document_token_patterns(app, settings.topic_prefix)

    app.include_router(ops.router)
    app.include_router(schemas.router)
    app.include_router(users.router)
    app.include_router(gdpr.router)
    app.include_router(audit_routes.router)
    app.include_router(recommendations_routes.router)
    app.include_router(resumes.router)
    app.include_router(course_routes.router)  # issue 5: course search
    app.include_router(chat_routes.router)  # issue 13: the career chatbot
    return app
