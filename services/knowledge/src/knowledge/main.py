"""ASGI entry point: ``uvicorn knowledge.main:app``."""

from knowledge.bootstrap import create_app

app = create_app()
