"""ASGI entry point: ``uvicorn scheduling.main:app``."""

from scheduling.bootstrap import create_app

app = create_app()
