"""Route dependencies and parameters shared by the route modules: the process context, the user-id
rule, and the `consistency_token` parameter of each read model (topics from the projection itself)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from api.consistency import token_param
from api.context import ApiContext
from projections.course_catalog import CourseCatalogProjection
from projections.recommendations import RecommendationProjection
from projections.resume_analyses import ResumeAnalysisProjection
from projections.user_profiles import UserProfileProjection

# A user id (also a conversation id or an audited subject): what ids look like in paths, queries, keys.
USER_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


async def get_ctx(request: Request) -> ApiContext:
    """The process's context, opened in the app's lifespan (api/app.py)."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]
UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]

# `consistency_token` of the routes reading each read model (the descriptions say where tokens come from).
ProfileToken = Annotated[str | None, token_param(UserProfileProjection, "consistency_token from a command")]
RecommendationsToken = Annotated[
    str | None,
    token_param(RecommendationProjection, "consistency_token from a profile update or an interaction"),
]
ResumeAnalysisToken = Annotated[
    str | None,
    token_param(ResumeAnalysisProjection, "consistency_token from the upload (or a later command)"),
]
CourseToken = Annotated[
    str | None, token_param(CourseCatalogProjection, "consistency_token of a course event")
]
