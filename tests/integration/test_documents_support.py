"""Shared fixtures and helpers of the documents integration tests (no tests here)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from minio import Minio

from chassis.devtokens import mint_token
from documents.bootstrap import Adapters, UseCases, create_app
from documents.settings import DocumentsSettings
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.infra import Infra

PART = 5 * 1024 * 1024


@dataclass
class DocumentsClient:
    http: httpx.AsyncClient
    app: FastAPI
    tenant: str
    program_id: str

    @property
    def adapters(self) -> Adapters:
        return self.app.state.documents  # type: ignore[no-any-return]

    @property
    def cases(self) -> UseCases:
        return self.app.state.use_cases  # type: ignore[no-any-return]

    @property
    def minio(self) -> Minio:
        return self.adapters.objects.client

    @property
    def bucket(self) -> str:
        return self.adapters.objects.bucket

    def auth(self, user: str, tenant: str | None = None) -> dict[str, str]:
        return bearer(mint_token(user, tenant or self.tenant, roles=["member"]))

    async def member(self, user: str, program_id: str | None = None, version: int = 1) -> None:
        """What a profile-changed event does: ``user`` is a member of the program."""
        await self.cases.directory_changes.member_changed(
            self.tenant, program_id or self.program_id, user, version, erased=False
        )

    async def space(self, space_id: str, *members: str) -> None:
        """What a match-made event does: a space for ``members``."""
        await self.cases.directory_changes.space_opened(
            self.tenant, space_id, self.program_id, list(members)
        )

    async def upload(
        self,
        user: str,
        data: bytes,
        name: str = "notes.txt",
        content_type: str | None = "text/plain",
        **params: Any,
    ) -> httpx.Response:
        headers = self.auth(user)
        if content_type is not None:
            headers["Content-Type"] = content_type
        return await self.http.post(
            "/v1/documents",
            params={"program_id": self.program_id, "name": name, **params},
            content=data,
            headers=headers,
        )

    async def uploaded(self, user: str, data: bytes, **kw: Any) -> dict[str, Any]:
        r = await self.upload(user, data, **kw)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def tenant_objects(self) -> list[str]:
        prefix = f"t/{self.tenant}/"
        return [o.object_name for o in self.minio.list_objects(self.bucket, prefix, recursive=True)]

    def tenant_pending_parts(self) -> list[str]:
        """Multipart uploads this app began that are neither completed nor aborted
        (MinIO lists pending uploads by exact object name, so each key is asked)."""
        pending = []
        for key in self.started:
            page = self.minio._list_multipart_uploads(self.bucket, prefix=key)
            pending += [str(u.object_name) for u in page.uploads if u.object_name == key]
        return pending

    @property
    def started(self) -> list[str]:
        return self.app.state.started_uploads  # type: ignore[no-any-return]


def record_started_uploads(app: FastAPI) -> None:
    """Observe which multipart uploads the app begins (to check none is left pending)."""
    objects = app.state.documents.objects
    begin = objects.start_multipart
    app.state.started_uploads = []

    async def recording(key: str, content_type: str) -> str:
        app.state.started_uploads.append(key)
        return await begin(key, content_type)  # type: ignore[no-any-return]

    objects.start_multipart = recording


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png(width: int = 64, height: int = 48) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(name="documents_settings")
def documents_settings_fixture(
    make_settings: Callable[..., Any], run_id: str
) -> Callable[..., DocumentsSettings]:
    def build(**overrides: Any) -> DocumentsSettings:
        values: dict[str, Any] = {
            "bucket": f"test-documents-{run_id}",
            "part_size_bytes": PART,
            "sweep_seconds": 0.5,
            "media_poll_seconds": 0.5,
            **overrides,
        }
        return make_settings(DocumentsSettings, **values)  # type: ignore[no-any-return]

    return build


@pytest.fixture(name="documents")
async def documents_fixture(
    documents_settings: Callable[..., DocumentsSettings], tenant: str, infra: Infra
) -> AsyncIterator[DocumentsClient]:
    app = create_app(documents_settings())
    record_started_uploads(app)
    async with serve_in_process(app) as http:
        client = DocumentsClient(http, app, tenant, f"prog-{uuid.uuid4().hex[:6]}")
        yield client


def random_bytes(size: int) -> bytes:
    return os.urandom(size)
