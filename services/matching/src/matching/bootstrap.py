"""Wires the matching service: the only module that knows every other one."""

from fastapi import FastAPI

import matching
from chassis.app import build_runtime, create_service_app
from matching.entrypoints import api
from matching.settings import MatchingSettings


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or MatchingSettings())
    return create_service_app(
        runtime,
        title="Matching service",
        description=matching.__doc__ or "",
        routers=[api.router],
    )
