"""Point writes that tolerate the races of several replicas.

Two concurrent upserts of a document that does not exist yet can both try to insert it;
the loser gets a duplicate-key error although its update is perfectly valid. Once the
document exists the update goes through, so these helpers simply try again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient

T = TypeVar("T")
ATTEMPTS = 3


async def retry_duplicate(operation: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(ATTEMPTS):
        try:
            return await retry_transient(operation)
        except DuplicateKeyError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def upsert(collection: AsyncCollection, doc_id: str, update: dict[str, Any]) -> None:
    """``update_one({"_id": doc_id}, update, upsert=True)``, safe under concurrent upserts."""
    await retry_duplicate(lambda: collection.update_one({"_id": doc_id}, update, upsert=True))


async def replace(collection: AsyncCollection, doc_id: str, doc: dict[str, Any]) -> None:
    await retry_duplicate(lambda: collection.replace_one({"_id": doc_id}, doc, upsert=True))
