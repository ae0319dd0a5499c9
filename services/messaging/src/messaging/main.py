"""ASGI entry point: ``uvicorn messaging.main:app``."""

from messaging.bootstrap import create_app

app = create_app()
