"""ASGI entry point: ``uvicorn matching.main:app``."""

from matching.bootstrap import create_app

app = create_app()
