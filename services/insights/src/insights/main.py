"""ASGI entry point: ``uvicorn insights.main:app``."""

from insights.bootstrap import create_app

app = create_app()
