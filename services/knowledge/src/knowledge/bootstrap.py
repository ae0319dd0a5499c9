"""Wires the knowledge service: the only module that knows every other one."""

from fastapi import FastAPI

import knowledge
from chassis.app import build_runtime, create_service_app
from knowledge.entrypoints import api
from knowledge.settings import KnowledgeSettings


def create_app(settings: KnowledgeSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or KnowledgeSettings())
    return create_service_app(
        runtime,
        title="Knowledge service",
        description=knowledge.__doc__ or "",
        routers=[api.router],
    )
