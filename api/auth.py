"""Bearer-token access control: HS256 JWTs carrying a subject and a role.

A token is accepted only when signed with HS256 (any other `alg`, `none` included, is refused) and when
it carries `sub`, `role`, `iss` (= JWT_ISSUER), `aud` (= JWT_AUDIENCE), `iat` and an unexpired `exp`.

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


DEFAULT_AUDIENCE = "careerstream-api"
ALGORITHM = "HS256"
LEEWAY_S = 5  # clock skew tolerated on exp / iat / nbf


def mint_token(
    secret: str, subject: str, role: Role, issuer: str, ttl_s: int = 3600, audience: str = DEFAULT_AUDIENCE
) -> str:
    """Sign a token (used by `careerstream token` and the tests)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {ROLES}")
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": issuer, "aud": audience, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str, issuer: str, audience: str = DEFAULT_AUDIENCE) -> Principal:
    """Verify algorithm, signature, expiry, issuer and audience; raises jwt.InvalidTokenError otherwise."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        issuer=issuer,
        audience=audience,
        leeway=LEEWAY_S,
        options={"require": ["sub", "exp", "iss", "aud", "iat"], "verify_signature": True},
    )
    role = claims.get("role")
    if role not in ROLES:
        raise jwt.InvalidTokenError(f"unknown role {role!r}")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise jwt.InvalidTokenError("sub must be a non-empty string")
    return Principal(subject=claims["sub"], role=role)


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
        return decode_token(
            settings.jwt_secret, credentials.credentials, settings.jwt_issuer, settings.jwt_audience
        )
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
