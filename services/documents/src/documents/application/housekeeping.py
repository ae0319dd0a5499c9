"""Housekeeping: abandoned uploads are aborted (their parts, tail and session removed),
verifications whose replica stopped are run again, and deleted documents are purged once
their time is up. Each item is claimed by an
insert first, so with several replicas exactly one does it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from documents.application.ports import DocumentIndex, Sessions
from documents.application.purging import PurgeDocument
from documents.application.uploads import Uploads

log = logging.getLogger("documents.housekeeping")
CLAIM_SECONDS = 600.0
#: A session still verifying after this long lost its verifier (its replica stopped).
VERIFY_STALE_SECONDS = 600.0


class Housekeeping:
    def __init__(
        self,
        *,
        sessions: Sessions,
        uploads: Uploads,
        index: DocumentIndex,
        purge: PurgeDocument,
        abandon_seconds: float,
        purge_after_seconds: float,
        sweep_seconds: float,
    ) -> None:
        self.sessions = sessions
        self.uploads = uploads
        self.index = index
        self.purge = purge
        self.abandon_seconds = abandon_seconds
        self.purge_after_seconds = purge_after_seconds
        self.sweep_seconds = sweep_seconds

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("housekeeping failed; retried on the next pass")
            await asyncio.sleep(self.sweep_seconds)

    async def sweep(self) -> tuple[int, int]:
        """Returns (uploads aborted, documents purged) by this replica."""
        now = datetime.now(UTC)
        aborted = purged = 0
        for session in await self.sessions.idle_since(
            now - timedelta(seconds=self.abandon_seconds)
        ):
            claimed = await self.sessions.claim(
                f"abandon:{session.upload_id}", session.upload_id, stale_after=CLAIM_SECONDS
            )
            # the winner's abort also drops its claim: a late claimer finds no session
            if claimed and (current := await self.sessions.get(session.upload_id)) is not None:
                await self.uploads.abort(current)
                aborted += 1
        stuck = now - timedelta(seconds=VERIFY_STALE_SECONDS)
        for session in await self.sessions.idle_since(stuck):
            term = int(now.timestamp() // VERIFY_STALE_SECONDS)
            name = f"verify:{session.upload_id}:{term}"
            if session.state == "verifying" and await self.sessions.claim(
                name, session.upload_id, stale_after=CLAIM_SECONDS
            ):
                await self.uploads.verify_again(session)
        due = (now - timedelta(seconds=self.purge_after_seconds)).isoformat()
        for row in await self.index.deleted_before(due):
            name = f"purge:{row['tenant_id']}:{row['document_id']}"
            if await self.sessions.claim(name, name, stale_after=CLAIM_SECONDS):
                if await self.purge(row["tenant_id"], row["document_id"], "retention"):
                    purged += 1
        return aborted, purged
