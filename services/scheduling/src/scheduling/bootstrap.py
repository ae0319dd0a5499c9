"""Wires the scheduling service: the only module that knows every other one."""

from fastapi import FastAPI

import scheduling
from chassis.app import build_runtime, create_service_app
from scheduling.entrypoints import api
from scheduling.settings import SchedulingSettings


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or SchedulingSettings())
    return create_service_app(
        runtime,
        title="Scheduling service",
        description=scheduling.__doc__ or "",
        routers=[api.router],
    )
