"""A program's live scoring pool: members, feature matrices and every mentee's best mentors.

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

Pure and synchronous (CPU-bound): :class:`~matching.application.scoring_pools.ScoringPools`
keeps one per program in step with the stored profiles, holds its ``lock`` and runs the
mutating methods in a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from matching.domain.explanations import Explanation, explain, shared_items
from matching.domain.features import ProfileFeatures, build_features, replace_profile
from matching.domain.matchable import MENTEE_ROLE, MENTOR_ROLE, PreparedProfile, prepare_profile
from matching.domain.member_profiles import (
    embedding_from_bytes,
    explanation_payload,
    matchable_profile,
    member_key,
)
from matching.domain.rules import ProgramRules
from matching.domain.topk import TopList
from matching.domain.vectorised import score_features, score_one_mentor_against

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
    def __init__(
        self,
        tenant_id: str,
        program_id: str,
        *,
        served: int,
        depth: int,
        lock: AbstractAsyncContextManager[Any] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.program_id = program_id
        self.served = served
        self.depth = max(depth, served)
        #: held by whoever reads or changes the pool concurrently (the application's lock)
        self.lock: AbstractAsyncContextManager[Any] = lock if lock is not None else nullcontext()
        self.config: dict[str, Any] | None = None
        self.program_version = 0
        self.rules: ProgramRules = ProgramRules(require_shared_language=False)
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
        embedding = embedding_from_bytes(doc.get("embedding"))
        profile = matchable_profile(doc, self.config, embedding=embedding, now=now)
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

    def set_program(
        self, config: Mapping[str, Any], version: int, rules: ProgramRules, now: datetime
    ) -> None:
        """New rules: every member is rebuilt (capacity defaults) and every list re-scored."""
        self.config = dict(config)
        self.program_version = version
        self.rules = rules
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
        payload = explanation_payload(
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
