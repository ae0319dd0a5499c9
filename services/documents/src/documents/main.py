"""ASGI entry point: ``uvicorn documents.main:app``."""

from documents.bootstrap import create_app

app = create_app()
