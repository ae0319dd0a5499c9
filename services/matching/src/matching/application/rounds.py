"""Bulk matching rounds of formal programs: run (and re-run) an optimal assignment, publish.

A run takes the program's unmatched mentees and its approved, available mentors with free
slots, scores every pair (vectorised), and solves the maximum-total-score assignment with
the admin's pinned and forbidden pairs (``matching.domain.bulk``). The run is stored with
its inputs (members and profile versions, free slots, pins, vetoes, rules) and their
digest; the solver is deterministic, so the same inputs give the same result. Publishing
turns every pair of the chosen run into a match in the mentor's book (``match-made``),
re-checking capacity there; pairs that no longer fit are reported as skipped.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput, NotFound, Problem
from chassis.eventstore import ConcurrencyError
from matching.application.access import Access, Caller
from matching.application.book_changes import MentorBookChanges
from matching.application.ports import MentorshipReadModel, Pools, Profiles
from matching.application.ports import Rounds as RoundRepository
from matching.application.views import new_id, valid_id
from matching.domain.bulk import BulkMatchingError, BulkProblem, solve_bulk_round
from matching.domain.explanations import explain, shared_items
from matching.domain.member_profiles import capacity_of, explanation_payload
from matching.domain.mentor_book import MentorBook
from matching.domain.pool import PoolMember
from matching.domain.rounds import BulkRound, round_stream_id
from matching.domain.rules import ProgramRules
from matching.domain.vectorised import score_matrix

Pair = tuple[str, str]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def round_match_id(round_id: str, mentee_id: str) -> str:
    """Stable per round and mentee, so a resumed publish never doubles a match."""
    return "m" + hashlib.sha256(f"{round_id}:{mentee_id}".encode()).hexdigest()[:32]


class BulkRounds:
    """The round use cases: open (and run), re-run, publish, and the admins' queries."""

    def __init__(
        self,
        *,
        repository: RoundRepository,
        store: Profiles,
        read_models: MentorshipReadModel,
        pools: Pools,
        access: Access,
        changes: MentorBookChanges,
        clock: Callable[[], datetime],
    ) -> None:
        self.repository = repository
        self.store = store
        self.read_models = read_models
        self.pools = pools
        self.access = access
        self.changes = changes
        self.clock = clock

    async def _admin(self, principal: Principal, program_id: str, action: str) -> Caller:
        caller = await self.access.caller(principal, program_id)
        caller.require_admin(action)
        program = await self.store.program(caller.tenant_id, program_id)
        if program is None:
            raise NotFound("program not found")
        if program["config"].get("kind") != "formal":
            raise Conflict("bulk matching rounds are for formal programs")
        return caller

    async def _change(
        self, stream_id: str, command: Callable[[BulkRound], Any]
    ) -> tuple[BulkRound, Any]:
        for _ in range(5):
            round_ = await self.repository.load(stream_id)
            result = command(round_)
            try:
                await self.repository.save(round_)
            except ConcurrencyError:
                await asyncio.sleep(random.uniform(0.005, 0.03))
                continue
            return round_, result
        raise Conflict("the round kept changing while we retried; please try again")

    async def _existing(self, caller: Caller, round_id: str) -> BulkRound:
        if not valid_id(round_id):
            raise NotFound("round not found")
        round_ = await self.repository.load(
            round_stream_id(caller.tenant_id, caller.program_id, round_id)
        )
        if round_.version == 0:
            raise NotFound("round not found")
        return round_

    # ------------------------------------------------------------------ use cases

    async def open_round(
        self,
        principal: Principal,
        program_id: str,
        *,
        pinned: Sequence[Pair],
        forbidden: Sequence[Pair],
    ) -> dict[str, Any]:
        caller = await self._admin(principal, program_id, "run a matching round")
        run = await self._compute(caller, pinned, forbidden)  # bad pins: 422, nothing stored
        round_id = new_id("b")
        stream_id = round_stream_id(caller.tenant_id, program_id, round_id)
        round_, _ = await self._change(stream_id, lambda r: r.open(principal.user_id, self.clock()))
        return await self._store_run(caller, round_, run)

    async def rerun(
        self,
        principal: Principal,
        program_id: str,
        round_id: str,
        *,
        pinned: Sequence[Pair],
        forbidden: Sequence[Pair],
    ) -> dict[str, Any]:
        caller = await self._admin(principal, program_id, "run a matching round")
        round_ = await self._existing(caller, round_id)
        if round_.status != "draft":
            raise Conflict(f"this round is {round_.status}; open a new round to match again")
        run = await self._compute(caller, pinned, forbidden)
        return await self._store_run(caller, round_, run)

    async def _store_run(
        self, caller: Caller, round_: BulkRound, run: dict[str, Any]
    ) -> dict[str, Any]:
        number = len(round_.runs) + 1
        await self.repository.put_run(round_.round_id, number, {**run, "run": number})
        summary = {
            "input_digest": run["input_digest"],
            "result_digest": run["result_digest"],
            "matched": len(run["result"]["matches"]),
            "unmatched": len(run["result"]["unmatched"]),
            "total_score": run["result"]["total_score"],
            "pinned": run["inputs"]["pinned"],
            "forbidden": run["inputs"]["forbidden"],
        }
        now = self.clock()
        _, number = await self._change(
            round_.stream_id,
            lambda r: r.record_run(by=caller.user_id, now=now, summary=summary),
        )
        stored = await self.repository.run(round_.round_id, number)
        if stored is None or stored.get("input_digest") != run["input_digest"]:
            # Another admin's run took this number meanwhile: store ours under its own.
            await self.repository.put_run(round_.round_id, number, {**run, "run": number})
        return {"round_id": round_.round_id, **run, "run": number}

    async def get_round(
        self, principal: Principal, program_id: str, round_id: str
    ) -> dict[str, Any]:
        caller = await self._admin(principal, program_id, "see matching rounds")
        round_ = await self._existing(caller, round_id)
        return {"round_id": round_id, "program_id": program_id, **round_.snapshot()}

    async def get_run(
        self, principal: Principal, program_id: str, round_id: str, number: int
    ) -> dict[str, Any]:
        caller = await self._admin(principal, program_id, "see matching rounds")
        await self._existing(caller, round_id)
        run = await self.repository.run(round_id, number)
        if run is None:
            raise NotFound("run not found")
        run.pop("_id", None)
        return {"round_id": round_id, **run}

    async def list_rounds(self, principal: Principal, program_id: str) -> list[dict[str, Any]]:
        caller = await self._admin(principal, program_id, "see matching rounds")
        rounds = await self.repository.program_rounds(caller.tenant_id, program_id)
        return sorted(rounds.values(), key=lambda r: r.get("opened_at") or "", reverse=True)

    async def publish(
        self, principal: Principal, program_id: str, round_id: str, *, run: int | None
    ) -> dict[str, Any]:
        caller = await self._admin(principal, program_id, "publish a matching round")
        round_ = await self._existing(caller, round_id)
        now = self.clock()
        round_, number = await self._change(
            round_.stream_id, lambda r: r.start_publishing(run, caller.user_id, now)
        )
        stored = await self.repository.run(round_id, number)
        if stored is None:  # pragma: no cover - a run's document precedes its event
            raise NotFound("run not found")
        t = caller.tenant_id
        program = await self.store.program(t, program_id)
        config = program["config"] if program else None
        published: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        for pair in stored["result"]["matches"]:
            mentor_id, mentee_id = pair["mentor_id"], pair["mentee_id"]
            match_id = round_match_id(round_id, mentee_id)
            entry = {"mentor_id": mentor_id, "mentee_id": mentee_id, "match_id": match_id}
            reason = await self._cannot_publish(t, program_id, mentor_id, mentee_id, match_id)
            if reason:
                skipped.append({**entry, "reason": reason})
                continue
            mentor = await self.store.profile(t, program_id, mentor_id)
            mentee = await self.store.profile(t, program_id, mentee_id)
            assert mentor is not None and mentee is not None
            capacity = capacity_of(mentor, config)

            def start(
                book: MentorBook,
                mentor: dict[str, Any] = mentor,
                mentee: dict[str, Any] = mentee,
                match_id: str = match_id,
                score: float = pair["score"],
                capacity: int = capacity,
            ) -> bool:
                return book.start_from_round(
                    match_id=match_id,
                    mentee_id=mentee["member_id"],
                    mentee_user_id=mentee["user_id"],
                    mentor_user_id=mentor["user_id"],
                    round_id=round_id,
                    score=score,
                    capacity=capacity,
                    now=now,
                )

            try:
                await self.changes.change(t, program_id, mentor_id, start)
            except Problem as exc:
                skipped.append({**entry, "reason": exc.detail})
                continue
            published.append(entry)
        round_, _ = await self._change(
            round_.stream_id,
            lambda r: r.finish_publishing(published=published, skipped=skipped, now=self.clock()),
        )
        return {"round_id": round_id, "run": number, "published": published, "skipped": skipped}

    async def _cannot_publish(
        self, tenant_id: str, program_id: str, mentor_id: str, mentee_id: str, match_id: str
    ) -> str | None:
        mentor = await self.store.profile(tenant_id, program_id, mentor_id)
        if mentor is None or mentor.get("erased"):
            return "the mentor left the program"
        mentee = await self.store.profile(tenant_id, program_id, mentee_id)
        if mentee is None or mentee.get("erased"):
            return "the mentee left the program"
        entries = (await self.read_models.member(tenant_id, program_id, mentee_id)).get(
            "matches", {}
        )
        if any(
            mid != match_id and e["role"] == "mentee" and e["status"] == "active"
            for mid, e in entries.items()
        ):
            return "the mentee was matched since the run"
        return None

    # ------------------------------------------------------------------ computing a run

    async def _compute(
        self, caller: Caller, pinned: Sequence[Pair], forbidden: Sequence[Pair]
    ) -> dict[str, Any]:
        pool = self.pools.get(caller.tenant_id, caller.program_id)
        async with pool.lock:
            await self.pools.refresh(pool)
            mentees = sorted(
                (m for m in pool.members.values() if m.is_mentee and m.mentee_matches == 0),
                key=lambda m: m.member_id,
            )
            mentors = sorted(
                (m for m in pool.members.values() if _available_mentor(m)),
                key=lambda m: m.member_id,
            )
            rules = pool.rules
            program_version = pool.program_version
        self._check_pairs(pinned, "pinned", mentors, mentees)
        self._check_pairs(forbidden, "forbidden", mentors, mentees)
        inputs = {
            "program_version": program_version,
            "rules": _rules_dict(rules),
            "mentors": [
                {
                    "member_id": m.member_id,
                    "profile_version": m.profile_version,
                    "free_slots": m.prepared.profile.free_slots,
                }
                for m in mentors
            ],
            "mentees": [
                {"member_id": m.member_id, "profile_version": m.profile_version} for m in mentees
            ],
            # pairs as objects: FerretDB stores no nested arrays
            "pinned": [{"mentor_id": a, "mentee_id": b} for a, b in sorted(set(pinned))],
            "forbidden": [{"mentor_id": a, "mentee_id": b} for a, b in sorted(set(forbidden))],
        }
        result = await asyncio.to_thread(_solve, mentors, mentees, rules, pinned, forbidden)
        return {
            "inputs": inputs,
            "input_digest": _digest(inputs),
            "result": result,
            "result_digest": _digest(
                {k: result[k] for k in ("matches", "unmatched", "total_score")}
            ),
            "computed_at": self.clock().isoformat(),
        }

    @staticmethod
    def _check_pairs(
        pairs: Sequence[Pair], kind: str, mentors: list[PoolMember], mentees: list[PoolMember]
    ) -> None:
        mentor_ids = {m.member_id for m in mentors}
        mentee_ids = {m.member_id for m in mentees}
        for mentor_id, mentee_id in pairs:
            if mentor_id not in mentor_ids:
                raise InvalidInput(
                    f"{kind} mentor {mentor_id!r} is not available in this round (not an "
                    "approved mentor of the program, paused, or without free capacity)",
                    field=kind,
                )
            if mentee_id not in mentee_ids:
                raise InvalidInput(
                    f"{kind} mentee {mentee_id!r} is not an unmatched mentee of this program",
                    field=kind,
                )


def _available_mentor(member: PoolMember) -> bool:
    profile = member.prepared.profile
    return member.is_mentor and profile.mentor_approved and profile.free_slots > 0


def _rules_dict(rules: ProgramRules) -> dict[str, Any]:
    out = asdict(rules)
    out["weights"] = dict(sorted(rules.weights.items()))
    return out


def _solve(
    mentors: list[PoolMember],
    mentees: list[PoolMember],
    rules: ProgramRules,
    pinned: Sequence[Pair],
    forbidden: Sequence[Pair],
) -> dict[str, Any]:
    scores = score_matrix([m.prepared for m in mentors], [m.prepared for m in mentees], rules)
    try:
        problem = BulkProblem.from_scores(
            scores,
            {m.member_id: m.prepared.profile.free_slots for m in mentors},
            pinned=[(a, b) for a, b in pinned],
            forbidden=[(a, b) for a, b in forbidden],
        )
        solved = solve_bulk_round(problem)
    except BulkMatchingError as exc:
        raise InvalidInput(str(exc), field="pinned") from exc
    by_id = {m.member_id: m for m in (*mentors, *mentees)}
    matches = []
    for match in solved.matches:
        mentor, mentee = by_id[match.mentor_id], by_id[match.mentee_id]
        explanation = explanation_payload(
            explain(mentor.prepared, mentee.prepared, rules),
            shared_items(mentor.prepared, mentee.prepared),
        )
        matches.append(
            {
                "mentor_id": match.mentor_id,
                "mentee_id": match.mentee_id,
                "score": round(match.score, 6),
                "pinned": match.pinned,
                "explanation": explanation,
            }
        )
    return {
        "matches": matches,
        "unmatched": [
            {"mentee_id": u.mentee_id, "reason_code": u.reason_code, "reason": u.reason}
            for u in solved.unmatched
        ],
        "total_score": round(solved.total_score, 6),
        "method": solved.method,
        "optimal": solved.optimal,
    }
