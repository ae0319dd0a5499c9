"""Upload sessions: where each unfinished upload stands (MongoDB, one document each).

A session is working state, not history, so it is a plain document rather than an
event stream: it is read and replaced by ``_id`` (the stand-in's fast path) and deleted
once the upload is finished, refused or abandoned. Writers and finishers claim a session
by inserting into ``upload_claims`` (the one atomic write on every backend), so two
requests never write the same offset and only one replica cleans up an abandoned upload.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from documents.application.ports import UploadSession


class UploadSessions:
    def __init__(self, db: AsyncDatabase) -> None:
        self.sessions = db["uploads"]
        self.claims = db["upload_claims"]

    async def ensure_indexes(self) -> None:
        await self.sessions.create_index("updated_at")

    async def add(self, session: UploadSession) -> None:
        await retry_transient(lambda: self.sessions.insert_one(_doc(session)))

    async def get(self, upload_id: str) -> UploadSession | None:
        doc = await retry_transient(lambda: self.sessions.find_one({"_id": upload_id}))
        return None if doc is None else _session(doc)

    async def put(self, session: UploadSession) -> None:
        session.updated_at = datetime.now(UTC)
        doc = _doc(session)
        await retry_transient(lambda: self.sessions.replace_one({"_id": session.upload_id}, doc))

    async def remove(self, upload_id: str) -> None:
        await retry_transient(lambda: self.sessions.delete_one({"_id": upload_id}))
        await retry_transient(lambda: self.claims.delete_many({"upload_id": upload_id}))

    async def idle_since(self, before: datetime, limit: int = 100) -> list[UploadSession]:
        cursor = self.sessions.find({"updated_at": {"$lt": before}}).limit(limit)
        return [_session(d) for d in await cursor.to_list()]

    async def all_keys(self) -> set[str]:
        """Object keys of every session (to tell orphaned multipart uploads apart)."""
        cursor = self.sessions.find({}, {"key": 1})
        return {d["key"] for d in await cursor.to_list()}

    # --- claims --------------------------------------------------------------------------

    async def claim(self, name: str, upload_id: str, *, stale_after: float) -> bool:
        """Claim ``name`` (``<upload>@<offset>``, ``finish:<upload>``, ...); a claim not
        refreshed for ``stale_after`` seconds belongs to a dead request and is taken over."""
        now = datetime.now(UTC)
        for _ in range(2):
            try:
                await retry_transient(
                    lambda: self.claims.insert_one({"_id": name, "upload_id": upload_id, "at": now})
                )
                return True
            except DuplicateKeyError:
                held = await self.claims.find_one({"_id": name})
                if held is None:
                    continue
                at = held["at"].replace(tzinfo=UTC)
                if now - at < timedelta(seconds=stale_after):
                    return False
                await self.claims.delete_one({"_id": name, "at": held["at"]})
        return False

    async def refresh(self, name: str) -> None:
        await self.claims.update_one({"_id": name}, {"$set": {"at": datetime.now(UTC)}})

    async def release(self, name: str) -> None:
        await retry_transient(lambda: self.claims.delete_one({"_id": name}))


def _doc(session: UploadSession) -> dict[str, Any]:
    doc = asdict(session)
    doc["_id"] = doc.pop("upload_id")
    doc["parts"] = [{"n": n, "etag": etag, "size": size} for n, etag, size in session.parts]
    return doc


def _session(doc: dict[str, Any]) -> UploadSession:
    data = dict(doc)
    data["upload_id"] = data.pop("_id")
    for key in ("created_at", "updated_at"):
        data[key] = data[key].replace(tzinfo=UTC)
    data["parts"] = [(p["n"], p["etag"], p["size"]) for p in data["parts"]]
    return UploadSession(**data)
