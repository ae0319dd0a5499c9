"""The service's own MongoDB database (PyMongo's async API).

Everything here must also run on FerretDB: single-document atomicity, unique indexes,
``find_one_and_update``; no transactions, change streams, ``$lookup`` or ``$text``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, OperationFailure, PyMongoError

from chassis.settings import ServiceSettings


def connect_mongo(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        uuidRepresentation="standard",
        appname=settings.service_name,
        serverSelectionTimeoutMS=5000,
    )


def service_database(client: AsyncMongoClient, settings: ServiceSettings) -> AsyncDatabase:
    return client[settings.mongo_db]


async def mongo_ready(client: AsyncMongoClient) -> None:
    await client.admin.command("ping")


T = TypeVar("T")

#: Server errors that mean "try again": lock contention on FerretDB's SQLite backend (and
#: its transaction rolled back under it, seen right after a restart), and MongoDB's own
#: transient labels. Anything else is a real failure and is raised at once.
_TRANSIENT_MARKERS = (
    "SQLITE_BUSY",
    "database is locked",
    "transaction has already been committed or rolled back",
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, AutoReconnect):
        return True
    if isinstance(exc, OperationFailure):
        labels = (exc.details or {}).get("errorLabels", [])
        message = str(exc)
        return "TransientTransactionError" in labels or any(
            marker in message for marker in _TRANSIENT_MARKERS
        )
    return False


async def retry_transient(
    operation: Callable[[], Awaitable[T]], *, attempts: int = 8, first_delay: float = 0.005
) -> T:
    """Run ``operation``, retrying transient server errors with jittered backoff.

    Only for single-document or all-or-nothing writes (a failed attempt wrote nothing).
    """
    for attempt in range(attempts):
        try:
            return await operation()
        except PyMongoError as exc:
            if attempt == attempts - 1 or not is_transient(exc):
                raise
            await asyncio.sleep(first_delay * 2**attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover
