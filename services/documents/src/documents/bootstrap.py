"""Wires the documents service: the only module that knows every other one."""

from fastapi import FastAPI

import documents
from chassis.app import build_runtime, create_service_app
from documents.entrypoints import api
from documents.settings import DocumentsSettings


def create_app(settings: DocumentsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or DocumentsSettings())
    return create_service_app(
        runtime,
        title="Documents service",
        description=documents.__doc__ or "",
        routers=[api.router],
    )
