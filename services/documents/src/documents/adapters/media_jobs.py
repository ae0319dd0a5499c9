"""The queue of versions to probe and preview: one document per version, claimed by a
lease (insert) so one replica works on it, deleted when done."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.lease import Lease
from chassis.mongo import retry_transient


class MediaJobQueue:
    def __init__(self, db: AsyncDatabase, owner: str, lease_seconds: float) -> None:
        self.jobs = db["media_jobs"]
        self.claims = db["media_job_claims"]
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.wakeup = asyncio.Event()  # set when this replica adds a job

    async def add(self, tenant_id: str, document_id: str, version: int) -> None:
        try:
            await retry_transient(
                lambda: self.jobs.insert_one(
                    {
                        "_id": f"{tenant_id}:{document_id}@{version}",
                        "tenant_id": tenant_id,
                        "document_id": document_id,
                        "version": version,
                        "at": datetime.now(UTC),
                    }
                )
            )
        except DuplicateKeyError:
            return
        self.wakeup.set()

    async def pending(self, limit: int = 20) -> list[dict[str, Any]]:
        return list(await self.jobs.find({}).sort("at", 1).limit(limit).to_list())

    async def claim(self, job_id: str) -> bool:
        return await Lease(self.claims, job_id, self.owner, seconds=self.lease_seconds).hold()

    async def done(self, job_id: str) -> None:
        await retry_transient(lambda: self.jobs.delete_one({"_id": job_id}))
