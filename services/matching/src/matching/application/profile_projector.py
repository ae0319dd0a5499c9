"""The profile projector: what ``profile-changed`` and ``program-changed`` do to the
profile read model and the scoring pools.

Idempotent by version: an event whose ``profile_version`` (``program_version``) is not
above the stored one changes nothing, so duplicates and replays are harmless. Erasure
leaves a tombstone with the version, removes the member from every pool and list, and
closes their open requests and mentorships (``member_left``:
:class:`~matching.application.erasure.RemoveDepartedMember`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from matching import contracts_mapping
from matching.application.ports import Embedder, MemberLeft, MemberTraces, Pools, ProfileWrites
from matching.domain.member_profiles import (
    embedding_to_bytes,
    member_key,
    text_for_embedding,
    text_hash,
)
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1

log = logging.getLogger("matching.projection")


class ProfileProjector:
    def __init__(
        self,
        *,
        store: ProfileWrites,
        read_models: MemberTraces,
        pools: Pools,
        embedder: Embedder,
        clock: Callable[[], datetime],
        member_left: MemberLeft,
    ) -> None:
        self.store = store
        self.read_models = read_models
        self.pools = pools
        self.embedder = embedder
        self.clock = clock
        self.member_left = member_left

    async def profile_changed(self, payload: ProfileChangedV1) -> bool:
        """Apply one profile event; False when it was older than what is stored.

        The same version again (a redelivery after a crash half-way) skips the profile
        write but repeats the idempotent rest, so no effect is lost.
        """
        tenant, program, member = payload.tenant_id, payload.program_id, payload.member_id
        key = member_key(tenant, program, member)
        current = await self.store.profile_by_key(key)
        stored = current["profile_version"] if current is not None else 0
        if stored > payload.profile_version:
            return False
        if payload.erased:
            await self._erase(payload, write=stored < payload.profile_version)
            return True
        seq = None
        if stored < payload.profile_version:
            fields = contracts_mapping.profile_document(payload)
            text = text_for_embedding(fields)
            digest = text_hash(text)
            if (
                current is not None
                and current.get("text_hash") == digest
                and current.get("embedding")
            ):
                embedding = current["embedding"]
            else:
                embedding = embedding_to_bytes(await self.embedder.embed(text))
            fields.update(text_hash=digest, embedding=embedding)
            seq = await self.store.write_profile(key, fields)
        await self.store.put_membership(
            tenant, program, payload.user_id, member, sorted(payload.roles)
        )
        await self.pools.apply_own_write(tenant, program, member, seq)
        return seq is not None

    async def _erase(self, payload: ProfileChangedV1, *, write: bool) -> None:
        tenant, program, member = payload.tenant_id, payload.program_id, payload.member_id
        seq = None
        if write:
            tombstone = {
                "tenant_id": tenant,
                "program_id": program,
                "member_id": member,
                "profile_version": payload.profile_version,
                "erased": True,
            }
            seq = await self.store.write_profile(
                member_key(tenant, program, member), tombstone, replace=True
            )
        await self.store.delete_membership(tenant, program, payload.user_id)
        await self.pools.apply_own_write(tenant, program, member, seq)
        await self.member_left(tenant, program, member)
        await self.read_models.forget_member(tenant, program, member)

    async def program_changed(self, payload: ProgramChangedV1) -> bool:
        doc = contracts_mapping.program_document(payload)
        if not await self.store.put_program(doc):
            return False
        pool = self.pools.get(payload.tenant_id, payload.program_id)
        async with pool.lock:
            await self.pools.refresh(pool)
            if payload.program_version > pool.program_version:
                rules = contracts_mapping.rules_from_program(doc["config"])
                await asyncio.to_thread(
                    pool.set_program, doc["config"], payload.program_version, rules, self.clock()
                )
        self.pools.changed()
        return True
