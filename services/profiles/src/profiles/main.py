"""ASGI entry point: ``uvicorn profiles.main:app``."""

from profiles.bootstrap import create_app

app = create_app()
