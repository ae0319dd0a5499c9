"""Live scoring pools: one per program, in memory, fed by the profile projection.

A pool holds every member of a program as prepared profiles, the vectorised features of
its mentors and of its mentees, and for each mentee the exact best mentors
(:class:`~matching.domain.topk.TopList`). A change re-scores only what it touches:

* a mentee changed: their column (one mentee against all mentors);
* a mentor changed (profile, capacity, load, pause): their row (one mentor against all
  mentees); only mentees whose list the mentor was in, or whose threshold the new score
  beats, are updated, and only lists that fell below the served length are re-scored;
* the program's rules changed: everything, in chunks.

Mentees whose served list changed are marked *dirty*; the recommendation writer turns them
into documents (with explanations, cached per pair and profile version).

Pools are rebuilt from the ``profiles`` collection at startup. Replicas stay in step
through the program's change sequence (see :mod:`matching.adapters.projections`):
:meth:`Pools.refresh` fetches just the members other replicas changed.

Mutating methods of :class:`ProgramPool` are synchronous and CPU-bound; callers hold the
pool's lock and run them in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from matching import translation
from matching.adapters.embedder import Embedder
from matching.adapters.projections import ProjectionStore, member_key
from matching.domain.explanations import Explanation, explain, shared_items
from matching.domain.features import ProfileFeatures, build_features, replace_profile
from matching.domain.matchable import MENTEE_ROLE, MENTOR_ROLE, PreparedProfile, prepare_profile
from matching.domain.rules import ProgramRules
from matching.domain.vectorised import score_features, score_one_mentor_against
from matching.domain.topk import TopList

log = logging.getLogger("matching.pools")

RECOMPUTE_CHUNK = 256  # mentees scored at once when re-scoring many columns


@dataclass(frozen=True)
class PoolMember:
    member_id: str
    user_id: str
    display_name: str
    headline: str
    roles: frozenset[str]
    profile_version: int
    stamp: int  # pool_seq of the document it was built from
    prepared: PreparedProfile
    doc: Mapping[str, Any]

    @property
    def is_mentor(self) -> bool:
        return MENTOR_ROLE in self.roles

    @property
    def is_mentee(self) -> bool:
        return MENTEE_ROLE in self.roles

    @property
    def mentee_matches(self) -> int:
        return int(self.doc.get("mentee_matches", 0))


class ProgramPool:
    def __init__(self, tenant_id: str, program_id: str, *, served: int, depth: int) -> None:
        self.tenant_id = tenant_id
        self.program_id = program_id
        self.served = served
        self.depth = max(depth, served)
        self.lock = asyncio.Lock()
        self.config: dict[str, Any] | None = None
        self.program_version = 0
        self.rules: ProgramRules = translation.rules_from_program(None)
        self.members: dict[str, PoolMember] = {}
        self.applied_seq = 0
        self.gap_since: datetime | None = None
        self.tops: dict[str, TopList] = {}
        self.listed_by: dict[str, set[str]] = defaultdict(set)
        self.dirty: set[str] = set()
        self.gone: set[str] = set()
        self._mentor_features: ProfileFeatures | None = None
        self._mentee_features: ProfileFeatures | None = None
        self._mentor_index: dict[str, int] = {}
        self._mentee_index: dict[str, int] = {}
        # mentee -> mentor -> (profile versions and program version, explanation payload)
        self._explanations: dict[str, dict[str, tuple[tuple[int, int, int], dict[str, Any]]]] = {}

    # ------------------------------------------------------------------ building blocks

    def build_member(self, doc: Mapping[str, Any], now: datetime) -> PoolMember:
        embedding = translation.embedding_from_bytes(doc.get("embedding"))
        profile = translation.matchable_profile(doc, self.config, embedding=embedding, now=now)
        snap = doc.get("snapshot") or {}
        return PoolMember(
            member_id=doc["member_id"],
            user_id=doc["user_id"],
            display_name=snap.get("display_name") or "",
            headline=snap.get("headline") or "",
            roles=frozenset(doc.get("roles", [])),
            profile_version=int(doc.get("profile_version", 0)),
            stamp=int(doc.get("pool_seq", 0)),
            prepared=prepare_profile(profile, now),
            doc=doc,
        )

    def mentor_ids(self) -> list[str]:
        return sorted(m.member_id for m in self.members.values() if m.is_mentor)

    def mentee_ids(self) -> list[str]:
        return sorted(m.member_id for m in self.members.values() if m.is_mentee)

    def mentor_features(self) -> ProfileFeatures:
        if self._mentor_features is None:
            ids = self.mentor_ids()
            self._mentor_features = build_features(
                [self.members[i].prepared for i in ids], "mentor"
            )
            self._mentor_index = {m: i for i, m in enumerate(ids)}
        return self._mentor_features

    def mentee_features(self) -> ProfileFeatures:
        if self._mentee_features is None:
            ids = self.mentee_ids()
            self._mentee_features = build_features(
                [self.members[i].prepared for i in ids], "mentee"
            )
            self._mentee_index = {m: i for i, m in enumerate(ids)}
        return self._mentee_features

    # ------------------------------------------------------------------ changes

    def set_program(self, config: Mapping[str, Any], version: int, now: datetime) -> None:
        """New rules: every member is rebuilt (capacity defaults) and every list re-scored."""
        self.config = dict(config)
        self.program_version = version
        self.rules = translation.rules_from_program(self.config)
        self.members = {m: self.build_member(p.doc, now) for m, p in self.members.items()}
        self._explanations.clear()
        self.recompute_all()

    def load(self, docs: Iterable[Mapping[str, Any]], now: datetime) -> None:
        """Startup: take every live profile, then score everything once."""
        for doc in docs:
            if not doc.get("erased"):
                member = self.build_member(doc, now)
                self.members[member.member_id] = member
        self.recompute_all()

    def apply_document(self, doc: Mapping[str, Any] | None, member_id: str, now: datetime) -> bool:
        """Bring one member in line with its projection document. True if anything changed."""
        current = self.members.get(member_id)
        if doc is None or doc.get("erased"):
            if current is None:
                return False
            self.remove(member_id)
            return True
        if current is not None and current.stamp >= int(doc.get("pool_seq", 0)):
            return False
        self.upsert(self.build_member(doc, now))
        return True

    def upsert(self, member: PoolMember) -> None:
        old = self.members.get(member.member_id)
        self.members[member.member_id] = member
        was_mentor = old is not None and old.is_mentor
        was_mentee = old is not None and old.is_mentee
        if was_mentor or member.is_mentor:
            self._mentor_features = self._with_row(
                self._mentor_features, self._mentor_index, member, was_mentor and member.is_mentor
            )
        if was_mentee or member.is_mentee:
            self._mentee_features = self._with_row(
                self._mentee_features, self._mentee_index, member, was_mentee and member.is_mentee
            )
        if was_mentor or member.is_mentor:
            self._rescore_mentor(member.member_id, present=member.is_mentor)
        if member.is_mentee:
            self._recompute_mentees([member.member_id])
        elif was_mentee:
            self._drop_mentee(member.member_id)

    @staticmethod
    def _with_row(
        features: ProfileFeatures | None,
        index: Mapping[str, int],
        member: PoolMember,
        stays: bool,
    ) -> ProfileFeatures | None:
        """Features after ``member`` changed: one row swapped when they keep their side,
        None (rebuilt on next use) when they join or leave it."""
        if features is None or not stays or member.member_id not in index:
            return None
        # in place: the pool holds the only reference, and callers hold its lock
        return replace_profile(features, index[member.member_id], member.prepared, copy=False)

    def remove(self, member_id: str) -> None:
        old = self.members.pop(member_id, None)
        if old is None:
            return
        if old.is_mentor:
            self._mentor_features = None
        if old.is_mentee:
            self._mentee_features = None
            self._drop_mentee(member_id)
        if old.is_mentor:
            self._rescore_mentor(member_id, present=False)
        self._explanations.pop(member_id, None)
        for cached in self._explanations.values():
            cached.pop(member_id, None)

    # ------------------------------------------------------------------ scoring

    def recompute_all(self) -> None:
        self._mentor_features = None
        self._mentee_features = None
        self.tops.clear()
        self.listed_by.clear()
        mentees = self.mentee_ids()
        self._recompute_mentees(mentees)
        self.dirty |= set(mentees)

    def _recompute_mentees(self, mentee_ids: list[str]) -> None:
        if not mentee_ids:
            return
        mentors = self.mentor_features()
        for start in range(0, len(mentee_ids), RECOMPUTE_CHUNK):
            chunk = mentee_ids[start : start + RECOMPUTE_CHUNK]
            if len(mentors):
                features = build_features([self.members[j].prepared for j in chunk], "mentee")
                scores = score_features(mentors, features, self.rules).scores
            else:
                scores = np.zeros((0, len(chunk)))
            for column, mentee_id in enumerate(chunk):
                old = self.tops.get(mentee_id)
                if old is not None:
                    for mentor_id in old.mentor_ids:
                        self.listed_by[mentor_id].discard(mentee_id)
                top = TopList.from_scores(mentors.member_ids, scores[:, column], self.depth)
                self.tops[mentee_id] = top
                for mentor_id in top.mentor_ids:
                    self.listed_by[mentor_id].add(mentee_id)
                self.dirty.add(mentee_id)
                self.gone.discard(mentee_id)

    def _rescore_mentor(self, mentor_id: str, *, present: bool) -> None:
        """One mentor's row against every mentee, and the lists it can affect."""
        listed = set(self.listed_by.get(mentor_id, ()))
        mentees = self.mentee_features()
        ids = mentees.member_ids
        if present and len(ids):
            row = score_one_mentor_against(
                self.members[mentor_id].prepared, mentees, self.rules
            ).scores[0]
        else:
            row = np.full(len(ids), np.nan)
        thresholds = np.array(
            [self.tops[j].threshold_score if j in self.tops else -math.inf for j in ids]
        )
        with np.errstate(invalid="ignore"):
            reach = np.flatnonzero(~np.isnan(row) & (row >= thresholds))
        affected = {ids[i] for i in reach} | listed
        rebuild = []
        for mentee_id in sorted(affected):
            index = self._mentee_index.get(mentee_id)
            top = self.tops.get(mentee_id)
            if index is None or top is None:
                continue
            score = float(row[index])
            shown = top.served(self.served)
            before = set(top.mentor_ids)
            top.update(mentor_id, None if math.isnan(score) else score, self.depth)
            after = set(top.mentor_ids)
            for gone in before - after:
                self.listed_by[gone].discard(mentee_id)
            for new in after - before:
                self.listed_by[new].add(mentee_id)
            if top.needs_rebuild(self.served):
                rebuild.append(mentee_id)
            elif mentor_id in {m for m, _ in shown} or top.served(self.served) != shown:
                # only a served list changes the document (the mentor's card in it may have
                # changed even at the same rank); the deeper rest is kept in memory only
                self.dirty.add(mentee_id)
        if not self.listed_by.get(mentor_id):
            self.listed_by.pop(mentor_id, None)
        self._recompute_mentees(rebuild)

    def _drop_mentee(self, mentee_id: str) -> None:
        top = self.tops.pop(mentee_id, None)
        if top is not None:
            for mentor_id in top.mentor_ids:
                self.listed_by[mentor_id].discard(mentee_id)
        self.dirty.discard(mentee_id)
        self.gone.add(mentee_id)
        self._explanations.pop(mentee_id, None)

    # ------------------------------------------------------------------ reading

    def explanation(self, mentor_id: str, mentee_id: str) -> dict[str, Any]:
        mentor, mentee = self.members[mentor_id], self.members[mentee_id]
        stamp = (mentor.profile_version, mentee.profile_version, self.program_version)
        cache = self._explanations.setdefault(mentee_id, {})
        cached = cache.get(mentor_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        payload = translation.explanation_payload(
            explain(mentor.prepared, mentee.prepared, self.rules),
            shared_items(mentor.prepared, mentee.prepared),
        )
        cache[mentor_id] = (stamp, payload)
        return payload

    def explain_pair(self, mentor_id: str, mentee_id: str) -> Explanation:
        return explain(
            self.members[mentor_id].prepared, self.members[mentee_id].prepared, self.rules
        )

    def ranked(self, mentee_id: str, count: int) -> list[tuple[str, float]]:
        top = self.tops.get(mentee_id)
        return top.served(count) if top is not None else []

    def recommendation_document(self, mentee_id: str) -> dict[str, Any]:
        items = []
        for rank, (mentor_id, score) in enumerate(self.ranked(mentee_id, self.served), start=1):
            mentor = self.members[mentor_id]
            items.append(
                {
                    "rank": rank,
                    "mentor_id": mentor_id,
                    "mentor_user_id": mentor.user_id,
                    "display_name": mentor.display_name,
                    "headline": mentor.headline,
                    "score": round(score, 4),
                    "explanation": self.explanation(mentor_id, mentee_id),
                }
            )
        served = {item["mentor_id"] for item in items}
        cache = self._explanations.get(mentee_id, {})
        for mentor_id in [m for m in cache if m not in served]:
            del cache[mentor_id]
        # The mentee's profile version the list was computed for: a client (and the
        # benchmark) can tell whether it already reflects their latest edit.
        mentee_version = self.members[mentee_id].profile_version
        digest = hashlib.sha256(
            json.dumps(
                [items, self.program_version, mentee_version], sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        return {
            "tenant_id": self.tenant_id,
            "program_id": self.program_id,
            "mentee_id": mentee_id,
            "mentee_profile_version": mentee_version,
            "items": items,
            "program_version": self.program_version,
            "digest": digest,
        }

    def take_changes(self) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """Documents of the dirty mentees and keys of the gone ones; resets both sets."""
        docs = {
            member_key(self.tenant_id, self.program_id, j): self.recommendation_document(j)
            for j in sorted(self.dirty)
            if j in self.tops
        }
        gone = {member_key(self.tenant_id, self.program_id, j) for j in self.gone}
        self.dirty.clear()
        self.gone.clear()
        return docs, gone


class Pools:
    """Every program's pool, kept in step with the projection documents."""

    def __init__(
        self,
        store: ProjectionStore,
        *,
        served: int,
        depth: int,
        changelog_grace_seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.served = served
        self.depth = depth
        self.grace = changelog_grace_seconds
        self.clock = clock
        self.pools: dict[tuple[str, str], ProgramPool] = {}
        self.on_change: Callable[[], None] = lambda: None

    def get(self, tenant_id: str, program_id: str) -> ProgramPool:
        key = (tenant_id, program_id)
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = ProgramPool(
                tenant_id, program_id, served=self.served, depth=self.depth
            )
        return pool

    def peek(self, tenant_id: str, program_id: str) -> ProgramPool | None:
        return self.pools.get((tenant_id, program_id))

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
            if not doc.get("embedding") and translation.text_for_embedding(doc).strip()
        ]
        if missing and embedder.enabled:
            vectors = await embedder.embed_many(
                [translation.text_for_embedding(d) for d in missing]
            )
            for doc, vector in zip(missing, vectors, strict=True):
                doc["embedding"] = translation.embedding_to_bytes(vector)
        now = self.clock()
        count = 0
        for key in set(programs) | set(by_program):
            pool = self.get(*key)
            async with pool.lock:
                program = programs.get(key)
                if program is not None:
                    pool.config = program["config"]
                    pool.program_version = int(program["program_version"])
                    pool.rules = translation.rules_from_program(pool.config)
                pool.applied_seq = seqs.get(key, 0)
                await asyncio.to_thread(pool.load, by_program.get(key, []), now)
            count += len(by_program.get(key, []))
        self.on_change()
        return count

    async def refresh(self, pool: ProgramPool) -> None:
        """Apply what other replicas changed since this pool last looked (call under lock).

        Follows the change log from the seq after the last one applied. Seqs are claimed
        contiguously (see ``ProjectionStore._claim``), so the first missing entry past the
        stored hint is the end of the log. An entry whose document does not carry its seq
        yet is a write in flight (or its writer died): wait for it a little, then skip it.
        """
        state = await self.store.pool_state(pool.tenant_id, pool.program_id) or {}
        now = self.clock()
        if int(state.get("program_version", 0)) > pool.program_version:
            program = await self.store.program(pool.tenant_id, pool.program_id)
            if program is not None and program["program_version"] > pool.program_version:
                await asyncio.to_thread(
                    pool.set_program, program["config"], int(program["program_version"]), now
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


def utcnow() -> datetime:
    return datetime.now(UTC)
