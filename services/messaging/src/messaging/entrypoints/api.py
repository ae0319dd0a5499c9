"""HTTP API of the messaging service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["messaging"])
