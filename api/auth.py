"""Bearer-token access control: HS256 JWTs carrying a subject and a role.

Roles: `user` (their own data only), `service` (other backend components; any user), `auditor`
(read-only access to any user, for GDPR audits) and `admin`. Missing/invalid token: 401; a user
touching someone else's data, or an auditor writing: 403.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Literal

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

Role = Literal["user", "service", "auditor", "admin"]
ROLES: tuple[Role, ...] = ("user", "service", "auditor", "admin")

_bearer = HTTPBearer(auto_error=False, description="JWT minted by `careerstream token`")


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role


def mint_token(secret: str, subject: str, role: Role, issuer: str, ttl_s: int = 3600) -> str:
    """Sign a token (used by `careerstream token` and the tests)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {ROLES}")
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": issuer, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(secret: str, token: str, issuer: str) -> Principal:
    """Verify signature, expiry and issuer; raises jwt.InvalidTokenError otherwise."""
    claims = jwt.decode(
        token, secret, algorithms=["HS256"], issuer=issuer, options={"require": ["sub", "exp", "iss"]}
    )
    role = claims.get("role")
    if role not in ROLES:
        raise jwt.InvalidTokenError(f"unknown role {role!r}")
    return Principal(subject=str(claims["sub"]), role=role)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the caller, or 401.

    Async although it never awaits: FastAPI runs a sync dependency in a thread pool, and that hand-off
    cost more than verifying the HS256 signature.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    settings = request.app.state.ctx.settings
    try:
        return decode_token(settings.jwt_secret, credentials.credentials, settings.jwt_issuer)
    except jwt.InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}", headers={"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def authorize(principal: Principal, user_id: str, *, write: bool) -> None:
    """Raise 403 unless the principal may read (or write) this user's data."""
    if principal.role in ("admin", "service"):
        return
    if principal.role == "auditor":
        if write:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "auditors have read-only access")
        return
    if principal.subject != user_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "users may only access their own data")
