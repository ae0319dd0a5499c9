"""HTTP API of the scheduling service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["scheduling"])
