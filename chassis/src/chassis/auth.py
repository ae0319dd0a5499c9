"""JWT bearer authentication (RS256 against a JWKS).

The principal (user, tenant, organization, roles) always comes from a verified token,
never from a request body. Enterprises point ``*_AUTH_JWKS_URL``, ``*_AUTH_ISSUER`` and
``*_AUTH_AUDIENCE`` at their OIDC provider; locally the development issuer in
``chassis/dev_keys`` signs tokens (see ``mint-token``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chassis.errors import Unauthorized
from chassis.settings import ServiceSettings

ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    organization_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    email: str | None = None  # the OIDC ``email`` claim, when the provider sends one
    expires_at: int | None = None  # the token's ``exp`` (seconds since the epoch)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_org_admin(self) -> bool:
        return "org_admin" in self.roles


class TokenVerifier:
    """Verifies signature, expiry, issuer and audience; returns a :class:`Principal`."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._issuer = settings.auth_issuer
        self._audience = settings.auth_audience
        self._leeway = settings.auth_leeway_seconds
        self._jwks_client: jwt.PyJWKClient | None = None
        self._static_keys: dict[str, jwt.PyJWK] = {}
        if settings.auth_jwks_url:
            self._jwks_client = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True)
        elif settings.auth_jwks_file:
            jwks = json.loads(settings.auth_jwks_file.read_text())
            self._static_keys = {k["kid"]: jwt.PyJWK(k) for k in jwks["keys"]}
        else:
            raise ValueError("no JWKS configured (set *_AUTH_JWKS_URL or *_AUTH_JWKS_FILE)")

    def _signing_key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token: {exc}") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized(f"token algorithm {header.get('alg')!r} is not accepted")
        if self._jwks_client is not None:
            try:
                return self._jwks_client.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as exc:
                raise Unauthorized(f"no signing key for token: {exc}") from exc
        kid = header.get("kid")
        key = self._static_keys.get(kid) if kid else None
        if key is None and len(self._static_keys) == 1 and kid is None:
            key = next(iter(self._static_keys.values()))
        if key is None:
            raise Unauthorized(f"unknown signing key id {kid!r}")
        return key.key

    def verify(self, token: str) -> Principal:
        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized("token audience is not accepted") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("token issuer is not accepted") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        tenant = claims.get("tenant_id")
        if not isinstance(tenant, str) or not tenant:
            raise Unauthorized("token has no tenant_id claim")
        roles = claims.get("roles") or []
        return Principal(
            user_id=str(claims["sub"]),
            tenant_id=tenant,
            organization_id=str(claims.get("organization_id") or tenant),
            roles=frozenset(str(r) for r in roles if isinstance(r, str)),
            name=claims.get("name"),
            email=email if isinstance(email := claims.get("email"), str) and email else None,
            expires_at=int(claims["exp"]),
        )


_bearer = HTTPBearer(auto_error=False, description="JWT from your identity provider")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise Unauthorized("missing bearer token (Authorization: Bearer <jwt>)")
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials.strip())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
