"""Shared fixtures and helpers of the profiles integration tests (no tests here)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from chassis.devtokens import mint_token
from profiles.bootstrap import Adapters, create_app
from profiles.settings import ProfilesSettings
from testkit import bearer
from testkit.apps import serve_in_process


@dataclass
class ProfilesClient:
    http: httpx.AsyncClient
    app: FastAPI
    tenant: str

    @property
    def adapters(self) -> Adapters:
        """The app's adapters (event store, read models, index, projector, ...)."""
        return self.app.state.profiles  # type: ignore[no-any-return]

    def auth(self, user: str, *roles: str, org: str | None = None, **kw: Any) -> dict[str, str]:
        return bearer(
            mint_token(
                user,
                kw.pop("tenant", self.tenant),
                roles=list(roles) or ["member"],
                organization_id=org,
                **kw,
            )
        )

    def admin(self, org: str | None = None) -> dict[str, str]:
        return self.auth("org-admin", "org_admin", org=org)

    async def create_program(self, **spec: Any) -> dict[str, Any]:
        body = {
            "name": f"Program {uuid.uuid4().hex[:6]}",
            "requires_mentor_approval": False,
            **spec,
        }
        r = await self.http.post("/v1/programs", json=body, headers=self.admin())
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def join(
        self,
        program_id: str,
        user: str,
        roles: list[str] | None = None,
        org: str | None = None,
        **profile: Any,
    ) -> dict[str, Any]:
        body = {
            "roles": roles or ["mentee"],
            "display_name": profile.pop("display_name", user),
            **profile,
        }
        r = await self.http.post(
            f"/v1/programs/{program_id}/members", json=body, headers=self.auth(user, org=org)
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def edit(self, program_id: str, user: str, **changes: Any) -> httpx.Response:
        me = await self.http.get(f"/v1/programs/{program_id}/members/me", headers=self.auth(user))
        assert me.status_code == 200, me.text
        return await self.http.patch(
            f"/v1/programs/{program_id}/members/me",
            json=changes,
            headers={**self.auth(user), "If-Match": me.headers["ETag"]},
        )

    async def search(self, program_id: str, user: str, **params: Any) -> dict[str, Any]:
        self.adapters.index.refresh()
        r = await self.http.get(
            f"/v1/programs/{program_id}/search", params=params, headers=self.auth(user)
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture(name="profiles")
async def profiles_fixture(
    make_settings: Callable[..., ProfilesSettings], tenant: str
) -> AsyncIterator[ProfilesClient]:
    app = create_app(make_settings(ProfilesSettings, projector_poll_seconds=0.2))
    async with serve_in_process(app) as http:
        yield ProfilesClient(http, app, tenant)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    return response.json()  # type: ignore[no-any-return]


async def events_for(
    profiles: ProfilesClient, topic: str, subject: str, *, until: Any, timeout: float = 60.0
) -> list[Any]:
    """CloudEvents of ``topic`` about ``subject``, re-read until ``until(events)`` holds."""
    from mentorship_contracts.envelope import from_kafka
    from testkit.events import read_topic

    bootstrap = profiles.app.state.runtime.settings.kafka_bootstrap
    physical = profiles.app.state.runtime.settings.topic(topic)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = await read_topic(bootstrap, physical, expect=10**6, timeout=2)
        events = [from_kafka(r.value or b"", r.headers) for r in records]
        mine = [e for e in events if e.subject == subject]
        if until(mine) or loop.time() > deadline:
            return mine
