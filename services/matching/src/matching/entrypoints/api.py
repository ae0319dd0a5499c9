"""HTTP API of the matching service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["matching"])
