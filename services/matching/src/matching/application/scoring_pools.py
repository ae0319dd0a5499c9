"""Live scoring pools: one :class:`~matching.domain.pool.ProgramPool` per program, in
memory, built from the stored profiles at startup and kept current by the profile projector.

Replicas stay in step through the program's change sequence (see
:mod:`matching.adapters.profile_store`): :meth:`ScoringPools.refresh` fetches just the
members other replicas changed. A pool's pure methods run in a worker thread while its lock
is held.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from matching.application.ports import Embedder, ProfileLog
from matching.contracts_mapping import rules_from_program
from matching.domain.member_profiles import embedding_to_bytes, text_for_embedding
from matching.domain.pool import ProgramPool

log = logging.getLogger("matching.pools")


class ScoringPools:
    """Every program's pool, kept in step with the stored profiles.

    ``on_change`` is called after any pool changed (the recommendation writer's wake-up).
    """

    def __init__(
        self,
        store: ProfileLog,
        *,
        served: int,
        depth: int,
        changelog_grace_seconds: float,
        clock: Callable[[], datetime],
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.served = served
        self.depth = depth
        self.grace = changelog_grace_seconds
        self.clock = clock
        self.pools: dict[tuple[str, str], ProgramPool] = {}
        self.on_change = on_change

    def get(self, tenant_id: str, program_id: str) -> ProgramPool:
        key = (tenant_id, program_id)
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = ProgramPool(
                tenant_id, program_id, served=self.served, depth=self.depth, lock=asyncio.Lock()
            )
        return pool

    def peek(self, tenant_id: str, program_id: str) -> ProgramPool | None:
        return self.pools.get((tenant_id, program_id))

    def all(self) -> list[ProgramPool]:
        return list(self.pools.values())

    def changed(self) -> None:
        self.on_change()

    async def load_all(self, embedder: Embedder) -> int:
        """Startup: every program and live profile from MongoDB, scored once per program."""
        programs = {(p["tenant_id"], p["program_id"]): p async for p in self.store.all_programs()}
        by_program: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        seqs: dict[tuple[str, str], int] = {}
        async for doc in self.store.all_profiles():
            key = (doc["tenant_id"], doc["program_id"])
            if key not in seqs:
                # read before the documents above it are used: a later change re-applies
                seqs[key] = await self.store.pool_seq(*key)
            if not doc.get("erased"):
                by_program[key].append(doc)
        missing = [
            doc
            for docs in by_program.values()
            for doc in docs
            if not doc.get("embedding") and text_for_embedding(doc).strip()
        ]
        if missing and embedder.enabled:
            vectors = await embedder.embed_many([text_for_embedding(d) for d in missing])
            for doc, vector in zip(missing, vectors, strict=True):
                doc["embedding"] = embedding_to_bytes(vector)
        now = self.clock()
        count = 0
        for key in set(programs) | set(by_program):
            pool = self.get(*key)
            async with pool.lock:
                program = programs.get(key)
                if program is not None:
                    pool.config = program["config"]
                    pool.program_version = int(program["program_version"])
                    pool.rules = rules_from_program(pool.config)
                pool.applied_seq = seqs.get(key, 0)
                await asyncio.to_thread(pool.load, by_program.get(key, []), now)
            count += len(by_program.get(key, []))
        self.on_change()
        return count

    async def refresh(self, pool: ProgramPool) -> None:
        """Apply what other replicas changed since this pool last looked (call under lock).

        Follows the change log from the seq after the last one applied. Seqs are claimed
        contiguously (see ``ProfileStore._claim``), so the first missing entry past the
        stored hint is the end of the log. An entry whose document does not carry its seq
        yet is a write in flight (or its writer died): wait for it a little, then skip it.
        """
        state = await self.store.pool_state(pool.tenant_id, pool.program_id) or {}
        now = self.clock()
        if int(state.get("program_version", 0)) > pool.program_version:
            program = await self.store.program(pool.tenant_id, pool.program_id)
            if program is not None and program["program_version"] > pool.program_version:
                await asyncio.to_thread(
                    pool.set_program,
                    program["config"],
                    int(program["program_version"]),
                    rules_from_program(program["config"]),
                    now,
                )
        hint = int(state.get("seq", 0))
        changed: dict[str, Mapping[str, Any]] = {}
        seq = pool.applied_seq + 1
        while True:
            member_id = await self.store.changed_member(pool.tenant_id, pool.program_id, seq)
            if member_id is not None:
                doc = await self.store.profile(pool.tenant_id, pool.program_id, member_id)
                if doc is not None and int(doc.get("pool_seq", 0)) >= seq:
                    changed[member_id] = doc
                    pool.gap_since = None
                    seq += 1
                    continue
            elif seq > hint:
                break  # the end of the log
            # claimed, document not written yet (or missing below the hint): wait, then skip
            pool.gap_since = pool.gap_since or now
            if (now - pool.gap_since).total_seconds() < self.grace:
                break
            pool.gap_since = None
            seq += 1
        pool.applied_seq = seq - 1
        for member_id, latest in changed.items():
            await asyncio.to_thread(pool.apply_document, latest, member_id, now)
        if changed:
            self.on_change()

    def mark_applied(self, pool: ProgramPool, seq: int) -> None:
        """This replica wrote ``seq`` itself; skip it in the next refresh if nothing is missing."""
        if seq == pool.applied_seq + 1:
            pool.applied_seq = seq
            # a gap the last refresh was waiting on was at this very seq: it is filled now
            # (a stale start time would make the next real gap look expired at once)
            pool.gap_since = None

    async def apply_own_write(
        self, tenant_id: str, program_id: str, member_id: str, seq: int | None
    ) -> None:
        """After this replica wrote a profile document: bring the pool in line.

        When ``seq`` directly follows the last one the pool applied and the program version
        did not move, nobody else wrote in between: the refresh (three point reads) is
        skipped and only the written document is read back.
        """
        pool = self.get(tenant_id, program_id)
        async with pool.lock:
            program_version = (
                None if seq is None else self.store.allocation(tenant_id, program_id, seq)
            )
            if (
                seq is None
                or seq != pool.applied_seq + 1
                or pool.gap_since is not None  # waiting for another replica's entry
                or program_version is None
                or program_version > pool.program_version
            ):
                await self.refresh(pool)
            doc = await self.store.profile(tenant_id, program_id, member_id)
            await asyncio.to_thread(pool.apply_document, doc, member_id, self.clock())
            if seq is not None:
                self.mark_applied(pool, seq)
        self.on_change()

    async def fresh(self, tenant_id: str, program_id: str) -> ProgramPool:
        """The pool, refreshed (acquires and releases the lock)."""
        pool = self.get(tenant_id, program_id)
        async with pool.lock:
            await self.refresh(pool)
        return pool
