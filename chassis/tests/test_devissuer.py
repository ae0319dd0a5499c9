"""The development OIDC issuer: code + PKCE, silent renew through its session, refusals."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from pydantic import ValidationError

from chassis.devissuer import DevIssuerSettings, create_app
from chassis.settings import DEV_AUDIENCE, DEV_ISSUER, DEV_JWKS_FILE

ORIGIN = "http://edge.test"
REDIRECT = f"{ORIGIN}/callback"
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


def _client(tmp_path: Path) -> httpx.AsyncClient:
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps([{"user_id": "ada", "tenant_id": "t1", "name": "Ada", "roles": ["member"]}])
    )
    app = create_app(DevIssuerSettings(users_file=users))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN)


def _params(**extra: str) -> dict[str, str]:
    return {
        "client_id": "mentorship-web",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "code_challenge": CHALLENGE.decode(),
        "code_challenge_method": "S256",
        "state": "s1",
        **extra,
    }


def _code(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


async def test_code_flow_with_pkce_gives_tokens_the_services_accept(tmp_path: Path) -> None:
    async with _client(tmp_path) as client:
        page = await client.get("/mentorship-dev-issuer/authorize", params=_params())
        assert "Ada" in page.text and "(ada, t1)" in page.text
        code = _code(
            await client.post(
                "/mentorship-dev-issuer/authorize", data={**_params(), "user_id": "ada"}
            )
        )
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        form |= {"client_id": "mentorship-web"}
        wrong = await client.post(
            "/mentorship-dev-issuer/token", data={**form, "code_verifier": "w" * 50}
        )
        assert wrong.status_code == 400  # and the code is spent
        code = _code(
            await client.get("/mentorship-dev-issuer/authorize", params=_params(prompt="none"))
        )
        tokens = (
            await client.post(
                "/mentorship-dev-issuer/token",
                data={**form, "code": code, "code_verifier": VERIFIER},
            )
        ).json()
        key = jwt.PyJWK(json.loads(DEV_JWKS_FILE.read_text())["keys"][0])
        claims = jwt.decode(
            tokens["access_token"], key.key, ["RS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER
        )
        assert (claims["sub"], claims["tenant_id"]) == ("ada", "t1")
        again = await client.post(
            "/mentorship-dev-issuer/token", data={**form, "code": code, "code_verifier": VERIFIER}
        )
        assert again.status_code == 400  # one use


async def test_silent_renew_needs_the_session_and_sign_out_ends_it(tmp_path: Path) -> None:
    async with _client(tmp_path) as client:
        silent = await client.get("/mentorship-dev-issuer/authorize", params=_params(prompt="none"))
        assert "error=login_required" in silent.headers["location"]
        _code(
            await client.post(
                "/mentorship-dev-issuer/authorize", data={**_params(), "user_id": "ada"}
            )
        )
        out = await client.get(
            "/mentorship-dev-issuer/logout", params={"post_logout_redirect_uri": f"{ORIGIN}/"}
        )
        assert out.headers["location"] == f"{ORIGIN}/"
        client.cookies.clear()
        silent = await client.get("/mentorship-dev-issuer/authorize", params=_params(prompt="none"))
        assert "error=login_required" in silent.headers["location"]


async def test_other_origins_and_clients_are_refused(tmp_path: Path) -> None:
    async with _client(tmp_path) as client:
        evil = await client.get(
            "/mentorship-dev-issuer/authorize", params=_params(redirect_uri="http://evil.test/cb")
        )
        assert evil.status_code == 400
        other = await client.get("/mentorship-dev-issuer/authorize", params=_params(client_id="x"))
        assert other.status_code == 400
        plain = await client.get(
            "/mentorship-dev-issuer/authorize", params=_params(code_challenge_method="plain")
        )
        assert "error=invalid_request" in plain.headers["location"]


def test_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="refused in production"):
        DevIssuerSettings(environment="production")
