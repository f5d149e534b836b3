"""Request and response bodies (pydantic): the API's validation edge."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.dependencies import USER_ID_PATTERN
from streams.producer import Position

Str100 = Field(min_length=1, max_length=100)
# Free text: any characters but NUL (documented, so the OpenAPI schema says what is accepted).
NO_NUL = r"^[^\x00]*$"
EducationLevel = Literal["none", "high_school", "associate", "bachelor", "master", "doctorate"]


class Strict(BaseModel):
    """Request bodies: unknown fields, NUL characters (Postgres text can't hold them), lone surrogates
    (no UTF-8 encoding exists for them) and non-finite numbers (JSON has none) are refused with 422."""

    # strict: no silent coercion (true is not 1.0, "5" is not 5), so the schema says what is accepted.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_hostile_values(cls, data: Any) -> Any:
        problem = hostile_value(data)
        if problem:
            raise ValueError(problem)
        return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def hostile_value(value: Any, depth: int = 0) -> str | None:
    """Why `value` (a parsed JSON document) can't be accepted, or None."""
    if depth > 32:
        return "the document is nested too deeply"
    if isinstance(value, str):
        if "\x00" in value:
            return "text must not contain NUL (\\u0000) characters"
        if _SURROGATE.search(value):
            return "text must not contain lone UTF-16 surrogates (\\ud800-\\udfff)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite (no NaN or Infinity)"
    if isinstance(value, dict):
        for k, v in value.items():
            problem = hostile_value(k, depth + 1) or hostile_value(v, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for v in value:
            problem = hostile_value(v, depth + 1)
            if problem:
                return problem
    return None


class AcceptedEvent(BaseModel):
    """What a command returns: the event and where it landed; pass `consistency_token` to queries."""

    event_id: str
    event_type: str
    topic: str
    partition: int
    offset: int
    consistency_token: str

    @classmethod
    def of(cls, event_id: str, event_type: str, pos: Position) -> AcceptedEvent:
        return cls(
            event_id=event_id,
            event_type=event_type,
            topic=pos.topic,
            partition=pos.partition,
            offset=pos.offset,
            consistency_token=pos.token,
        )


class UserCreated(AcceptedEvent):
    user_id: str


class RegisterUser(Strict):
    user_id: str | None = Field(
        default=None,
        pattern=USER_ID_PATTERN,
        description="Defaults to the caller's subject (role user) or a new UUID",
    )
    # Explicit classes rather than \s, whose meaning differs between regex engines (and clients).
    email: str = Field(
        pattern=r"^[^@\x00-\x20\x7f]{1,64}@[^@\x00-\x20\x7f]{1,190}\.[^@\x00-\x20\x7f]{2,63}$", max_length=254
    )
    display_name: str | None = Field(default=None, max_length=120, pattern=NO_NUL)
    locale: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


Item100 = Annotated[str, Field(max_length=100, pattern=NO_NUL)]


class ProfileIn(Strict):
    skills: list[Item100] = Field(default_factory=list, max_length=200)
    interests: list[Item100] = Field(default_factory=list, max_length=100)
    education_level: EducationLevel | None = None
    years_experience: float | None = Field(default=None, ge=0, le=70)
    location: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    salary_expectation: float | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    career_goals: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)
    target_careers: list[Item100] = Field(default_factory=list, max_length=20)

    def cleaned(self) -> dict[str, object]:
        """Skills and interests trimmed, de-duplicated case-insensitively, empty ones dropped."""
        data = self.model_dump()
        for name in ("skills", "interests", "target_careers"):
            seen: set[str] = set()
            items = []
            for item in data[name]:
                text = " ".join(str(item).split())[:100]
                if text and text.lower() not in seen:
                    seen.add(text.lower())
                    items.append(text)
            data[name] = items
        return data


class Consent(Strict):
    granted: bool
    policy_version: str = Field(min_length=1, max_length=40, pattern=NO_NUL)


class ErasureIn(Strict):
    reason: str | None = Field(default=None, max_length=500, pattern=NO_NUL)


class ProfileOut(BaseModel):
    user_id: str
    email: str | None
    display_name: str | None
    locale: str | None
    skills: list[str]
    interests: list[str]
    education_level: str | None
    years_experience: float | None
    location: str | None
    salary_expectation: float | None
    salary_currency: str | None
    career_goals: str | None
    target_careers: list[str]
    consents: dict[str, dict[str, object]]
    registered_at: str | None
    updated_at: str | None


class SchemaInfo(BaseModel):
    event_type: str
    version: int
    topic: str
    fingerprint: str
    personal_fields: list[str]
