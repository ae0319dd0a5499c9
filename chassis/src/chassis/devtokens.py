"""Mint tokens signed by the local development issuer (``mint-token --help``).

Only for the local stack and tests: the key in ``chassis/dev_keys`` is public.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from chassis.settings import DEV_AUDIENCE, DEV_ISSUER, DEV_KEYS_DIR

DEV_KID = json.loads((DEV_KEYS_DIR / "jwks.json").read_text())["keys"][0]["kid"]


def mint_token(
    user_id: str,
    tenant_id: str,
    *,
    roles: list[str] | tuple[str, ...] = ("member",),
    organization_id: str | None = None,
    name: str | None = None,
    ttl_seconds: int = 3600,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "tenant_id": tenant_id,
        "organization_id": organization_id or tenant_id,
        "roles": list(roles),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if name:
        claims["name"] = name
    claims.update(extra_claims or {})
    return jwt.encode(claims, _private_key(), algorithm="RS256", headers={"kid": DEV_KID})


@functools.cache
def _private_key() -> Any:
    """Parsed once: loading (and checking) the RSA key is most of a token's cost, about
    half a second each on a loaded machine, which made a thousand clients a long wait."""
    return serialization.load_pem_private_key(
        (DEV_KEYS_DIR / "private.pem").read_bytes(), password=None
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", required=True, help="subject (user id)")
    parser.add_argument("--tenant", required=True, help="tenant id")
    parser.add_argument("--org", help="organization id (defaults to the tenant)")
    parser.add_argument("--roles", default="member", help="comma-separated, e.g. org_admin")
    parser.add_argument("--name")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args()
    print(
        mint_token(
            args.user,
            args.tenant,
            roles=[r for r in args.roles.split(",") if r],
            organization_id=args.org,
            name=args.name,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
