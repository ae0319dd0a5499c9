"""Wires the profiles service: the only module that knows every other one."""

from fastapi import FastAPI

import profiles
from chassis.app import build_runtime, create_service_app
from profiles.entrypoints import api
from profiles.settings import ProfilesSettings


def create_app(settings: ProfilesSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or ProfilesSettings())
    return create_service_app(
        runtime,
        title="Profiles service",
        description=profiles.__doc__ or "",
        routers=[api.router],
    )
