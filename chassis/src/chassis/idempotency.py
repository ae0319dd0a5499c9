"""Idempotency keys: a retried create returns the first response instead of a duplicate.

One document per (tenant, user, method, path, key) holds a fingerprint of the request body
and, once done, the response. A retry with the same body gets the stored response; the
same key with another body is refused; a retry while the first is still running gets 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.errors import Conflict, InvalidInput

MAX_KEY_LENGTH = 200
Outcome = tuple[int, Any, dict[str, str]]


class IdempotencyStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["idempotency_keys"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("created_at")
        await self.collection.create_index([("tenant_id", 1), ("user_id", 1)])

    async def forget_user(self, tenant_id: str, user_id: str) -> None:
        """Erasure: stored responses may hold the user's profile."""
        await self.collection.delete_many({"tenant_id": tenant_id, "user_id": user_id})

    async def run(
        self,
        *,
        key: str | None,
        scope: tuple[str, str, str, str],
        body: Any,
        action: Callable[[], Awaitable[Outcome]],
    ) -> JSONResponse:
        if key is None:
            return _response(await action())
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise InvalidInput(
                f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters",
                field="Idempotency-Key",
            )
        doc_id = hashlib.sha256("\x00".join((*scope, key)).encode()).hexdigest()
        fingerprint = hashlib.sha256(
            json.dumps(body, sort_keys=True, default=str).encode()
        ).hexdigest()
        try:
            await self.collection.insert_one(
                {
                    "_id": doc_id,
                    "tenant_id": scope[0],
                    "user_id": scope[1],
                    "fingerprint": fingerprint,
                    "state": "running",
                    "created_at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": doc_id})
            if existing is None:  # pragma: no cover - removed between the two calls
                raise Conflict(
                    "request with this Idempotency-Key is being retried; retry"
                ) from None
            if existing["fingerprint"] != fingerprint:
                raise InvalidInput(
                    "Idempotency-Key was already used for a different request",
                    field="Idempotency-Key",
                ) from None
            if existing["state"] != "done":
                raise Conflict(
                    "a request with this Idempotency-Key is still in progress; retry later"
                ) from None
            headers = {**existing["headers"], "Idempotent-Replayed": "true"}
            return _response((existing["status"], existing["body"], headers))
        try:
            outcome = await action()
        except BaseException:
            await self.collection.delete_one({"_id": doc_id, "state": "running"})
            raise
        status, body_out, headers = outcome
        await self.collection.update_one(
            {"_id": doc_id},
            {"$set": {"state": "done", "status": status, "body": body_out, "headers": headers}},
        )
        return _response(outcome)


def _response(outcome: Outcome) -> JSONResponse:
    status, body, headers = outcome
    return JSONResponse(body, status_code=status, headers=headers)
