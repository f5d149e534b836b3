"""Request and response bodies (pydantic): the API's validation edge."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streams.producer import Position

Str100 = Field(min_length=1, max_length=100)
EducationLevel = Literal["none", "high_school", "associate", "bachelor", "master", "doctorate"]
UserId = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="1-64 characters: letters, digits, _ . : -")


class Strict(BaseModel):
    """Request bodies: unknown fields and NUL characters are refused (Postgres text can't hold NUL)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


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
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Defaults to the caller's subject (role user) or a new UUID",
    )
    email: str = Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$", max_length=254)
    display_name: str | None = Field(default=None, max_length=120)
    locale: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class ProfileIn(Strict):
    skills: list[str] = Field(default_factory=list, max_length=200)
    interests: list[str] = Field(default_factory=list, max_length=100)
    education_level: EducationLevel | None = None
    years_experience: float | None = Field(default=None, ge=0, le=70)
    location: str | None = Field(default=None, max_length=200)
    salary_expectation: float | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    career_goals: str | None = Field(default=None, max_length=2000)
    target_careers: list[str] = Field(default_factory=list, max_length=20)

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
    policy_version: str = Field(min_length=1, max_length=40)


class ErasureIn(Strict):
    reason: str | None = Field(default=None, max_length=500)


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
