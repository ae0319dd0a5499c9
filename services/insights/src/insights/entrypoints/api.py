"""HTTP API of the insights service under ``/v1``."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["insights"])
