"""Wires the insights service: the only module that knows every other one."""

from fastapi import FastAPI

import insights
from chassis.app import build_runtime, create_service_app
from insights.entrypoints import api
from insights.settings import InsightsSettings


def create_app(settings: InsightsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or InsightsSettings())
    return create_service_app(
        runtime,
        title="Insights service",
        description=insights.__doc__ or "",
        routers=[api.router],
    )
