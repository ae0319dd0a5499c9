"""Wires the messaging service: the only module that knows every other one."""

from fastapi import FastAPI

import messaging
from chassis.app import build_runtime, create_service_app
from messaging.entrypoints import api
from messaging.settings import MessagingSettings


def create_app(settings: MessagingSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or MessagingSettings())
    return create_service_app(
        runtime,
        title="Messaging service",
        description=messaging.__doc__ or "",
        routers=[api.router],
    )
