"""HTTP API of the documents service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["documents"])
