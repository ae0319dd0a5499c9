"""HTTP API of the knowledge service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["knowledge"])
