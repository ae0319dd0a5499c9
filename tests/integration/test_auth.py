"""Every way a token can be wrong gets 401 problem+json; a good one is accepted."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.devtokens import mint_token
from profiles.bootstrap import create_app
from profiles.settings import ProfilesSettings
from testkit import bearer
from testkit.apps import serve_in_process


@pytest.fixture
async def client(
    make_settings: Callable[..., ProfilesSettings],
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(make_settings(ProfilesSettings))) as c:
        yield c


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


async def test_valid_token_yields_the_principal(client: httpx.AsyncClient) -> None:
    token = mint_token("ada", "acme", roles=["org_admin"], organization_id="acme-labs")
    response = await client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": "ada",
        "tenant_id": "acme",
        "organization_id": "acme-labs",
        "roles": ["org_admin"],
    }


def _other_key_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    good = jwt.decode(mint_token("eve", "acme"), options={"verify_signature": False})
    return jwt.encode(good, pem, algorithm="RS256", headers={"kid": "local-dev-1"})


def _alg_none_token() -> str:
    claims = jwt.decode(mint_token("eve", "acme"), options={"verify_signature": False})
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


@pytest.mark.parametrize(
    ("case", "headers", "expected_detail"),
    [
        ("missing", {}, "missing bearer token"),
        ("not a jwt", bearer("not-a-token"), "malformed token"),
        ("expired", bearer(mint_token("ada", "acme", ttl_seconds=-3600)), "expired"),
        ("wrongly signed", bearer(_other_key_token()), "invalid token"),
        ("wrong audience", bearer(mint_token("ada", "acme", audience="other-app")), "audience"),
        ("wrong issuer", bearer(mint_token("ada", "acme", issuer="https://evil")), "issuer"),
        ("alg none", bearer(_alg_none_token()), "algorithm"),
    ],
)
async def test_bad_tokens_get_401_problem(
    client: httpx.AsyncClient, case: str, headers: dict[str, str], expected_detail: str
) -> None:
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 401, case
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert expected_detail in body["detail"], body


async def test_token_lifetime_is_checked_with_small_leeway(client: httpx.AsyncClient) -> None:
    # expired 10 s ago: still within the 30 s clock-skew leeway
    token = mint_token("ada", "acme", ttl_seconds=-10)
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
    assert time.time() > jwt.decode(token, options={"verify_signature": False})["exp"]
