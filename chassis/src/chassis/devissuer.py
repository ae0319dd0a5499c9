"""The development OIDC issuer: a sign-in page listing demo users, for the local stack only.

The web app signs in with the authorization code flow and PKCE (S256) as it would against a
tenant's identity provider; this issuer stands in for that provider locally. It signs with
the public development key (``chassis/dev_keys``), so like that key it is refused in
production: :class:`DevIssuerSettings` will not build with ``environment=production``.

Served under ``/mentorship-dev-issuer`` (the path of :data:`chassis.settings.DEV_ISSUER`),
behind the local edge on the app's own origin, so its session cookie lets the app renew
tokens silently (``prompt=none``) without keeping any token in browser storage.

Run: ``DEV_ISSUER_USERS_FILE=users.json uvicorn chassis.devissuer:app``; the users file is
a JSON list of ``{"user_id", "tenant_id", "roles", "name", "organization_id"?}``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chassis.devtokens import mint_token
from chassis.settings import DEV_AUDIENCE, DEV_ISSUER, DEV_JWKS_FILE

PREFIX = urlsplit(DEV_ISSUER).path
SESSION_COOKIE = "dev_issuer_session"
CODE_TTL_SECONDS = 60
MAX_PENDING = 10_000
MAX_FORM_BYTES = 20_000


class DevUser(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    tenant_id: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(default_factory=lambda: ["member"], max_length=20)
    name: str = Field(min_length=1, max_length=200)
    organization_id: str | None = Field(default=None, max_length=200)


class DevIssuerSettings(BaseSettings):
    """``DEV_ISSUER_*``: who may sign in, which client may ask, how long tokens live."""

    model_config = SettingsConfigDict(env_prefix="DEV_ISSUER_", extra="ignore")

    environment: Literal["local", "test", "production"] = "local"
    users_file: Path | None = Field(
        default=None, description="JSON list of the users the sign-in page offers."
    )
    client_id: str = Field(default="mentorship-web", description="The one client allowed.")
    token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    session_ttl_seconds: int = Field(default=8 * 3600, ge=60)

    @model_validator(mode="after")
    def _refused_in_production(self) -> DevIssuerSettings:
        if self.environment == "production":
            raise ValueError(
                "the development issuer signs with the public development key and is "
                "refused in production: point the services and the web app at your "
                "identity provider instead"
            )
        return self

    def users(self) -> list[DevUser]:
        if self.users_file is None:
            return []
        return [DevUser.model_validate(u) for u in json.loads(self.users_file.read_text())]


@dataclass
class _Grant:
    user: DevUser
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    expires: float


@dataclass
class _State:
    users: dict[str, DevUser]
    settings: DevIssuerSettings
    codes: dict[str, _Grant] = field(default_factory=dict)
    sessions: dict[str, tuple[str, float]] = field(default_factory=dict)

    def prune(self) -> None:
        now = time.time()
        self.codes = {k: g for k, g in self.codes.items() if g.expires > now}
        self.sessions = {k: s for k, s in self.sessions.items() if s[1] > now}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _same_origin(request: Request, uri: str) -> bool:
    """Redirects go back to the origin the sign-in page was served on (the edge), only."""
    target = urlsplit(uri)
    host = request.headers.get("host", "")
    return target.scheme in ("http", "https") and target.netloc == host


TEXTS = {
    "en": {
        "title": "Sign in (development issuer)",
        "lead": "Local development only: choose a demo user. No password is asked.",
        "as": "Sign in as",
        "admins": "Administrators",
        "mentors": "Mentors",
        "mentees": "Mentees",
        "others": "Other users",
        "none": "No users are configured (DEV_ISSUER_USERS_FILE).",
    },
    "fr": {
        "title": "Connexion (émetteur de développement)",
        "lead": "Développement local seulement : choisissez un utilisateur de démonstration. "
        "Aucun mot de passe n'est demandé.",
        "as": "Se connecter en tant que",
        "admins": "Administratrices et administrateurs",
        "mentors": "Mentors",
        "mentees": "Mentorés",
        "others": "Autres utilisateurs",
        "none": "Aucun utilisateur n'est configuré (DEV_ISSUER_USERS_FILE).",
    },
}


def _group(user: DevUser) -> str:
    roles = set(user.roles)
    if roles & {"org_admin", "admin"}:
        return "admins"
    if "mentor" in roles or "mentor" in user.user_id:
        return "mentors"
    if "mentee" in roles or "mentee" in user.user_id:
        return "mentees"
    return "others"


def _sign_in_page(users: list[DevUser], hidden: dict[str, str], lang: str) -> str:
    t = TEXTS[lang]
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in hidden.items()
    )
    sections = []
    for group in ("admins", "mentors", "mentees", "others"):
        members = [u for u in users if _group(u) == group]
        if not members:
            continue
        buttons = "".join(
            f'<li><button type="submit" name="user_id" value="{html.escape(u.user_id)}">'
            f"{html.escape(u.name)} <small>({html.escape(u.user_id)}, "
            f"{html.escape(u.tenant_id)})</small></button></li>"
            for u in members
        )
        sections.append(
            f'<section aria-labelledby="h-{group}"><h2 id="h-{group}">{t[group]}</h2>'
            f"<ul>{buttons}</ul></section>"
        )
    body = "".join(sections) or f"<p>{t['none']}</p>"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t["title"]}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;
color:#1a1b1e}}
ul{{list-style:none;padding:0;display:grid;gap:.4rem}}
button{{width:100%;text-align:left;padding:.5rem .75rem;border:1px solid #868e96;
border-radius:6px;background:#fff;font:inherit;cursor:pointer;color:#1a1b1e}}
button:hover,button:focus-visible{{background:#e7f5ff;outline:3px solid #1c7ed6}}
small{{color:#495057}}
</style></head>
<body><main><h1>{t["title"]}</h1><p>{t["lead"]}</p>
<form method="post" action="{PREFIX}/authorize" aria-label="{t["as"]}">{fields}{body}</form>
</main></body></html>"""


async def _form(request: Request) -> dict[str, str] | None:
    """An ``application/x-www-form-urlencoded`` body (OAuth's format), or None if too large."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    return {k: v[:2000] for k, v in parse_qsl(body.decode("utf-8", "replace"))}


def _error_redirect(redirect_uri: str, error: str, state: str | None) -> RedirectResponse:
    params = {"error": error, **({"state": state} if state else {})}
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode(params)}", status_code=302)


def create_app(settings: DevIssuerSettings | None = None) -> FastAPI:
    settings = settings or DevIssuerSettings()
    state = _State(users={u.user_id: u for u in settings.users()}, settings=settings)
    jwks = json.loads(DEV_JWKS_FILE.read_text())
    app = FastAPI(title="development OIDC issuer", docs_url=None, redoc_url=None)

    def issue_code(user: DevUser, params: dict[str, str]) -> RedirectResponse:
        state.prune()
        if len(state.codes) >= MAX_PENDING:
            return _error_redirect(params["redirect_uri"], "temporarily_unavailable", None)
        code = secrets.token_urlsafe(32)
        state.codes[code] = _Grant(
            user=user,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            challenge=params["code_challenge"],
            nonce=params.get("nonce") or None,
            expires=time.time() + CODE_TTL_SECONDS,
        )
        query = {"code": code, **({"state": params["state"]} if params.get("state") else {})}
        sep = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(f"{params['redirect_uri']}{sep}{urlencode(query)}", 302)

    def check_request(request: Request, params: dict[str, str]) -> Response | None:
        if params.get("client_id") != settings.client_id:
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if not _same_origin(request, params.get("redirect_uri", "")):
            return JSONResponse(
                {"error": "invalid_request", "error_description": "redirect_uri"}, 400
            )
        if params.get("response_type") != "code":
            return _error_redirect(
                params["redirect_uri"], "unsupported_response_type", params.get("state")
            )
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return _error_redirect(params["redirect_uri"], "invalid_request", params.get("state"))
        return None

    @app.get(f"{PREFIX}/.well-known/openid-configuration")
    def discovery(request: Request) -> dict[str, Any]:
        base = f"{request.url.scheme}://{request.headers.get('host', '')}{PREFIX}"
        return {
            "issuer": DEV_ISSUER,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "ui_locales_supported": ["en", "fr"],
        }

    @app.get(f"{PREFIX}/jwks")
    def keys() -> dict[str, Any]:
        return jwks

    @app.get(f"{PREFIX}/authorize", response_model=None)
    def authorize(request: Request) -> Response:
        params = {k: v[:2000] for k, v in request.query_params.items()}
        problem = check_request(request, params)
        if problem is not None:
            return problem
        session = state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        signed_in = session is not None and session[1] > time.time()
        if params.get("prompt") == "none":
            if not signed_in or session is None or session[0] not in state.users:
                return _error_redirect(
                    params["redirect_uri"], "login_required", params.get("state")
                )
            return issue_code(state.users[session[0]], params)
        lang = "fr" if params.get("ui_locales", "").lower().startswith("fr") else "en"
        return HTMLResponse(_sign_in_page(list(state.users.values()), params, lang))

    @app.post(f"{PREFIX}/authorize", response_model=None)
    async def sign_in(request: Request) -> Response:
        params = await _form(request)
        if params is None:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        problem = check_request(request, params)
        if problem is not None:
            return problem
        user = state.users.get(params.get("user_id", ""))
        if user is None:
            return JSONResponse({"error": "access_denied", "error_description": "user"}, 400)
        session_id = secrets.token_urlsafe(32)
        state.sessions[session_id] = (user.user_id, time.time() + settings.session_ttl_seconds)
        response = issue_code(user, params)
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            max_age=settings.session_ttl_seconds,
            path=PREFIX,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post(f"{PREFIX}/token")
    async def token(request: Request) -> JSONResponse:
        form = await _form(request)
        if form is None:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        grant = state.codes.pop(form.get("code", ""), None)
        code_verifier, client_id = form.get("code_verifier", ""), form.get("client_id")
        redirect_uri = form.get("redirect_uri")
        if (
            not 43 <= len(code_verifier) <= 128
            or grant is None
            or grant.expires < time.time()
            or grant.client_id != client_id
            or grant.redirect_uri != redirect_uri
            or not secrets.compare_digest(_s256(code_verifier), grant.challenge)
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        user, ttl = grant.user, settings.token_ttl_seconds
        claims = {"roles": user.roles, "organization_id": user.organization_id}
        access = mint_token(
            user.user_id,
            user.tenant_id,
            roles=user.roles,
            organization_id=user.organization_id,
            name=user.name,
            ttl_seconds=ttl,
        )
        id_token = mint_token(
            user.user_id,
            user.tenant_id,
            roles=user.roles,
            organization_id=user.organization_id,
            name=user.name,
            ttl_seconds=ttl,
            audience=client_id,
            extra_claims={**claims, **({"nonce": grant.nonce} if grant.nonce else {})},
        )
        return JSONResponse(
            {
                "access_token": access,
                "id_token": id_token,
                "token_type": "Bearer",
                "expires_in": ttl,
                "scope": "openid profile",
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get(f"{PREFIX}/logout", response_model=None)
    def logout(
        request: Request,
        post_logout_redirect_uri: Annotated[str | None, Query(max_length=2000)] = None,
    ) -> Response:
        state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        target = post_logout_redirect_uri
        if target is None or not _same_origin(request, target):
            target = "/"
        response = RedirectResponse(target, status_code=302)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    @app.get(f"{PREFIX}/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "audience": DEV_AUDIENCE}

    return app


def __getattr__(name: str) -> Any:
    """``uvicorn chassis.devissuer:app`` builds the app from the environment on first use."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
