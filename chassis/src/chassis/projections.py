"""Read models: projections of events, rebuildable by replay.

A service rebuilds its own read models by folding its event store
(``EventStore.all_events``) or, for what it learns from others, by replaying the topics
with a new consumer name.

A projection applies events to documents; :func:`apply_if_newer` makes each update
conditional on the source aggregate's version, which turns at-least-once delivery (and
replays) into exactly-once effects without transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient


async def apply_if_newer(
    collection: AsyncCollection,
    doc_id: Any,
    source_version: int,
    update: Mapping[str, Any],
    *,
    version_field: str = "source_version",
) -> bool:
    """Apply ``update`` to ``doc_id`` unless it already reflects ``source_version``.

    Returns ``True`` when the update was applied. Works on MongoDB and FerretDB: the upsert
    of an already-newer document collides on ``_id`` and is ignored.
    """
    update = dict(update)
    update.setdefault("$set", {})
    update["$set"] = {**update["$set"], version_field: source_version}
    try:
        result = await retry_transient(
            lambda: collection.update_one(
                {"_id": doc_id, version_field: {"$lt": source_version}}, update, upsert=False
            )
        )
        if result.matched_count:
            return True
        await retry_transient(
            lambda: collection.update_one(
                {"_id": doc_id, version_field: {"$exists": False}}, update, upsert=True
            )
        )
        return True
    except DuplicateKeyError:
        return False
