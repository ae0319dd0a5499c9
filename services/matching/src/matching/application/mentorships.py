"""Use cases of the mentorship lifecycle: request, respond, match, end, pause, groups.

Every change goes through :meth:`Mentorships.run`: load the mentor's desk, run a domain
command, append the recorded events with the expected version (each event carrying its
integration event for the outbox), then update the read models and the scoring pools. On
a concurrent append the desk is reloaded from the event store and the command re-run, so
two acceptances that raced for the last slot end as one match and one 409 "at capacity".
Within a replica, commands on one desk are also serialised by a lock, which keeps
conflicts (and their retries) to the rare cross-replica race.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from prometheus_client import Counter

from chassis.auth import Principal
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from chassis.eventstore import ConcurrencyError, Recorded, StoredEvent
from matching import translation
from matching.adapters.desks import DeskRepository
from matching.adapters.projections import ProjectionStore
from matching.adapters.readmodels import ReadModels
from matching.application.access import Access, Caller
from matching.application.expiry import DeskRef, ExpirySchedule
from matching.application.pools import Pools
from matching.domain import mentorship as d
from matching.domain.mentorship import MentorDesk, desk_stream_id

log = logging.getLogger("matching.mentorships")
APPEND_CONFLICTS = Counter(
    "matching_desk_append_conflicts_total",
    "Appends to a mentor's desk that lost an optimistic-concurrency race and were retried",
)

T = TypeVar("T")
APPEND_ATTEMPTS = 8
PAIR_RULES = (
    "organization_rule",
    "no_shared_language",
    "timezone_too_far",
    "experience_gap_out_of_range",
)
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def valid_id(value: str) -> bool:
    return 0 < len(value) <= 128 and set(value) <= _ID_CHARS


class Mentorships:
    def __init__(
        self,
        *,
        desks: DeskRepository,
        store: ProjectionStore,
        read_models: ReadModels,
        pools: Pools,
        access: Access,
        schedule: ExpirySchedule,
        clock: Callable[[], datetime],
        next_best_count: int,
        max_open_requests: int,
        auto_pause_after_unanswered: int,
    ) -> None:
        self.desks = desks
        self.auto_pause_after_unanswered = auto_pause_after_unanswered
        self.store = store
        self.read_models = read_models
        self.pools = pools
        self.access = access
        self.schedule = schedule
        self.clock = clock
        self.next_best_count = next_best_count
        self.max_open_requests = max_open_requests
        self._locks: dict[str, asyncio.Lock] = {}
        schedule.check_desk = self.check_desk
        schedule.rescan = self.due_desks

    # ------------------------------------------------------------------ the write path

    def _lock(self, stream_id: str) -> asyncio.Lock:
        if len(self._locks) > 10_000:
            for key in [k for k, lock in self._locks.items() if not lock.locked()]:
                del self._locks[key]
        return self._locks.setdefault(stream_id, asyncio.Lock())

    async def run(
        self, tenant_id: str, program_id: str, mentor_id: str, command: Callable[[MentorDesk], T]
    ) -> tuple[MentorDesk, T]:
        """Run ``command`` on the mentor's desk and store what it recorded."""
        stream_id = desk_stream_id(tenant_id, program_id, mentor_id)
        async with self._lock(stream_id):
            for attempt in range(APPEND_ATTEMPTS):
                desk = await self.desks.load(stream_id, fresh=attempt > 0)
                error: Problem | None = None
                result: Any = None
                try:
                    result = command(desk)
                except Problem as exc:
                    # Only expiries recorded before the command failed remain: keep them.
                    error = exc
                if not desk.pending:
                    if error is not None:
                        raise error
                    return desk, result
                try:
                    await self.desks.append(desk)
                except ConcurrencyError:
                    APPEND_CONFLICTS.inc()
                    await asyncio.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
                    continue
                recorded = list(desk.pending)
                desk.pending.clear()
                await self.desks.save(desk)
                await self.project(desk, recorded)
                if error is not None:
                    raise error
                return desk, result
        raise Conflict("the mentor's desk kept changing while we retried; please try again")

    # ------------------------------------------------------------------ read models

    def request_document(self, desk: MentorDesk, request_id: str) -> dict[str, Any]:
        r = desk.requests[request_id]
        return {
            "request_id": request_id,
            "tenant_id": desk.tenant_id,
            "program_id": desk.program_id,
            "mentor_id": desk.mentor_id,
            "mentor_user_id": r["mentor_user_id"],
            "mentee_id": r["mentee_id"],
            "mentee_user_id": r["mentee_user_id"],
            "group_id": r.get("group_id"),
            "status": r["status"],
            "message": r.get("message", ""),
            "conversation": r.get("conversation", []),
            "requested_at": r["requested_at"],
            "expires_at": r["expires_at"],
            "updated_at": r.get("updated_at"),
            "closed_at": r.get("closed_at"),
            "reason": r.get("reason"),
            "note": r.get("note"),
            "match_id": r.get("match_id"),
        }

    def match_document(self, desk: MentorDesk, match_id: str) -> dict[str, Any]:
        m = desk.matches[match_id]
        return {
            "match_id": match_id,
            "tenant_id": desk.tenant_id,
            "program_id": desk.program_id,
            "mentor_id": desk.mentor_id,
            "mentor_user_id": m["mentor_user_id"],
            "mentee_id": m["mentee_id"],
            "mentee_user_id": m["mentee_user_id"],
            "mode": m["mode"],
            "group_id": m.get("group_id"),
            "origin": m["origin"],
            "request_id": m.get("request_id"),
            "round_id": m.get("round_id"),
            "score": m.get("score"),
            "status": m["status"],
            "started_at": m["started_at"],
            "ended_at": m.get("ended_at"),
            "end_reason": m.get("end_reason"),
            "ended_by": m.get("ended_by"),
        }

    async def project(self, desk: MentorDesk, recorded: Iterable[Recorded]) -> None:
        """Bring read models and pools in line with a desk after an append."""
        t, p, mentor = desk.tenant_id, desk.program_id, desk.mentor_id
        requests: dict[str, None] = {}
        matches: dict[str, None] = {}
        groups: dict[str, None] = {}
        pause_changed = False
        for event in recorded:
            if "request_id" in event.data and event.type != d.MATCH_STARTED:
                requests[event.data["request_id"]] = None
            for request_id in event.data.get("request_ids", ()):
                requests[request_id] = None
            if "match_id" in event.data and event.type in (d.MATCH_STARTED, d.MATCH_ENDED):
                matches[event.data["match_id"]] = None
                group_id = desk.matches[event.data["match_id"]].get("group_id")
                if group_id:
                    groups[group_id] = None
            if event.type in (d.GROUP_OPENED, d.GROUP_CLOSED):
                groups[event.data["group_id"]] = None
            pause_changed |= event.type in (d.MENTOR_PAUSED, d.MENTOR_RESUMED)

        for request_id in requests:
            doc = self.request_document(desk, request_id)
            if doc["status"] in ("declined", "expired") and self.next_best_count:
                doc["next_best"] = await self.next_best(t, p, doc["mentee_id"], exclude={mentor})
            await self.read_models.put_request(request_id, doc)
            summary = {
                "status": doc["status"],
                "group_id": doc["group_id"],
                "requested_at": doc["requested_at"],
                "expires_at": doc["expires_at"],
                "updated_at": doc["updated_at"],
            }
            await self.read_models.put_member_entries(
                t,
                p,
                mentor,
                requests={request_id: {**summary, "role": "mentor", "other": doc["mentee_id"]}},
            )
            await self.read_models.put_member_entries(
                t,
                p,
                doc["mentee_id"],
                requests={request_id: {**summary, "role": "mentee", "other": mentor}},
            )
            if doc["status"] in d.OPEN_STATUSES:
                self.schedule.schedule(datetime.fromisoformat(doc["expires_at"]), (t, p, mentor))

        mentees: set[str] = set()
        for match_id in matches:
            doc = self.match_document(desk, match_id)
            await self.read_models.put_match(match_id, doc)
            summary = {
                "status": doc["status"],
                "mode": doc["mode"],
                "group_id": doc["group_id"],
                "started_at": doc["started_at"],
                "ended_at": doc["ended_at"],
            }
            await self.read_models.put_member_entries(
                t,
                p,
                mentor,
                matches={match_id: {**summary, "role": "mentor", "other": doc["mentee_id"]}},
            )
            await self.read_models.put_member_entries(
                t,
                p,
                doc["mentee_id"],
                matches={match_id: {**summary, "role": "mentee", "other": mentor}},
            )
            mentees.add(doc["mentee_id"])

        for group_id in groups:
            group = desk.groups[group_id]
            await self.read_models.put_group(
                t,
                p,
                {
                    "group_id": group_id,
                    "mentor_id": mentor,
                    "title": group["title"],
                    "description": group.get("description"),
                    "capacity": group["capacity"],
                    "members": len(group.get("members", {})),
                    "status": group["status"],
                    "opened_at": group["opened_at"],
                },
            )

        if matches or pause_changed:
            fields: dict[str, Any] = {"load": desk.active_one_to_one()}
            if pause_changed:
                fields["pause"] = desk.pause
                if desk.pause and desk.pause.get("until"):
                    self.schedule.schedule(
                        datetime.fromisoformat(desk.pause["until"]), (t, p, mentor)
                    )
            seq = await self.store.write_availability(t, p, mentor, fields)
            if seq is not None:
                await self.pools.apply_own_write(t, p, mentor, seq)
        for mentee in sorted(mentees):
            entries = (await self.read_models.member(t, p, mentee)).get("matches", {})
            active = sum(
                1 for e in entries.values() if e["role"] == "mentee" and e["status"] == "active"
            )
            seq = await self.store.write_availability(t, p, mentee, {"mentee_matches": active})
            if seq is not None:
                await self.pools.apply_own_write(t, p, mentee, seq)

    async def rebuild_read_models(self) -> int:
        """Replay every mentor desk of the event store through :meth:`project`.

        Requests, mentorships, groups, the members' summaries and the mentors' availability
        are projections of the desks: this rebuilds them after a loss, and repairs what a
        crash between an append and its projection left behind. The desk snapshots are
        rewritten from the events too. Returns the number of desks replayed.
        """
        streams: dict[str, list[StoredEvent]] = {}
        async for event in self.desks.events.all_events():
            if event.stream_id.startswith("desk|"):
                streams.setdefault(event.stream_id, []).append(event)
        for stream_id, events in streams.items():
            desk = MentorDesk.rehydrate(stream_id, events)
            await self.desks.save(desk)
            await self.project(desk, [Recorded(e.type, e.data, e.version) for e in events])
        return len(streams)

    async def next_best(
        self, tenant_id: str, program_id: str, mentee_id: str, *, exclude: set[str]
    ) -> list[dict[str, Any]]:
        """The mentee's best mentors they have not asked yet and who can take them."""
        member = await self.read_models.member(tenant_id, program_id, mentee_id)
        taken = {
            e["other"]
            for e in member.get("requests", {}).values()
            if e["role"] == "mentee" and e["status"] in d.OPEN_STATUSES
        } | {
            e["other"]
            for e in member.get("matches", {}).values()
            if e["role"] == "mentee" and e["status"] == "active"
        }
        pool = self.pools.get(tenant_id, program_id)
        out: list[dict[str, Any]] = []
        async with pool.lock:
            await self.pools.refresh(pool)
            if mentee_id not in pool.members:
                return []
            for mentor_id, score in pool.ranked(mentee_id, pool.depth):
                if mentor_id in exclude or mentor_id in taken:
                    continue
                mentor = pool.members[mentor_id]
                out.append(
                    {
                        "mentor_id": mentor_id,
                        "mentor_user_id": mentor.user_id,
                        "display_name": mentor.display_name,
                        "score": round(score, 4),
                        "summary": pool.explanation(mentor_id, mentee_id)["summary"],
                    }
                )
                if len(out) >= self.next_best_count:
                    break
        return out

    async def touch(self, tenant_id: str, program_id: str, member_id: str | None) -> None:
        if member_id is not None:
            await self.read_models.touch(tenant_id, program_id, member_id, self.clock())

    # ------------------------------------------------------------------ lookups

    async def _program(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        program = await self.store.program(tenant_id, program_id)
        if program is None:
            raise NotFound("program not found")
        return dict(program["config"])

    async def _mentor_profile(
        self, tenant_id: str, program_id: str, mentor_id: str
    ) -> dict[str, Any]:
        if not valid_id(mentor_id):
            raise NotFound("mentor not found in this program", field="mentor_id")
        doc = await self.store.profile(tenant_id, program_id, mentor_id)
        if doc is None or doc.get("erased") or "mentor" not in doc.get("roles", []):
            raise NotFound("mentor not found in this program", field="mentor_id")
        return doc

    async def _request_for(
        self, principal: Principal, request_id: str
    ) -> tuple[dict[str, Any], Caller, str]:
        """The request, the caller and their side (mentor, mentee or admin); 404 otherwise."""
        doc = await self.read_models.request(request_id) if valid_id(request_id) else None
        return await self._party_to(principal, doc, "request")

    async def _match_for(
        self, principal: Principal, match_id: str
    ) -> tuple[dict[str, Any], Caller, str]:
        doc = await self.read_models.match(match_id) if valid_id(match_id) else None
        return await self._party_to(principal, doc, "match")

    async def _party_to(
        self, principal: Principal, doc: dict[str, Any] | None, noun: str
    ) -> tuple[dict[str, Any], Caller, str]:
        """The caller's side in a request or match; 404 for strangers and other tenants."""
        if doc is None or doc["tenant_id"] != principal.tenant_id:
            raise NotFound(f"{noun} not found")
        try:
            caller = await self.access.caller(principal, doc["program_id"])
        except NotFound:
            raise NotFound(f"{noun} not found") from None
        if caller.member_id == doc["mentor_id"]:
            return doc, caller, "mentor"
        if caller.member_id == doc["mentee_id"]:
            return doc, caller, "mentee"
        if caller.is_admin:
            return doc, caller, "admin"
        raise NotFound(f"{noun} not found")

    # ------------------------------------------------------------------ requests

    async def request_mentorship(
        self,
        principal: Principal,
        program_id: str,
        *,
        mentor_id: str,
        message: str,
        group_id: str | None = None,
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        mentee_id = caller.require_role("mentee", "ask for mentorship")
        t = caller.tenant_id
        if mentor_id == mentee_id:
            raise InvalidInput("you cannot ask yourself for mentorship", field="mentor_id")
        config = await self._program(t, program_id)
        if config.get("status") == "archived":
            raise Conflict("this program is archived and takes no new requests")
        if group_id is not None and "group" not in config.get("modes", []):
            raise Conflict("this program has no group mentoring")
        if group_id is None and "one_to_one" not in config.get("modes", []):
            raise Conflict("this program has group mentoring only: ask to join a group")
        mentor = caller.visible_mentor(await self._mentor_profile(t, program_id, mentor_id))
        if mentor["user_id"] == principal.user_id:
            raise InvalidInput("you cannot ask yourself for mentorship", field="mentor_id")
        if not mentor.get("mentor_approved"):
            raise Conflict("this mentor is not approved in this program yet")
        if group_id is None and not (mentor.get("snapshot") or {}).get("accepting_mentees"):
            raise Conflict("this mentor is not taking new mentees right now")
        await self._check_pair_rules(t, program_id, mentor_id, mentee_id)
        mine = await self.read_models.member(t, program_id, mentee_id)
        open_count = sum(
            1
            for e in mine.get("requests", {}).values()
            if e["role"] == "mentee" and e["status"] in d.OPEN_STATUSES
        )
        if open_count >= self.max_open_requests:
            raise Conflict(
                f"you already have {open_count} open requests; wait for answers or withdraw one"
            )
        now = self.clock()
        request_id = new_id("r")
        expires_at = now + timedelta(hours=int(config["request_response_hours"]))
        capacity = translation.capacity_of(mentor, config)
        desk, _ = await self.run(
            t,
            program_id,
            mentor_id,
            lambda desk: desk.receive_request(
                request_id=request_id,
                mentee_id=mentee_id,
                mentee_user_id=principal.user_id,
                mentor_user_id=mentor["user_id"],
                message=message,
                now=now,
                expires_at=expires_at,
                capacity=capacity,
                group_id=group_id,
            ),
        )
        await self.touch(t, program_id, mentee_id)
        return self.request_document(desk, request_id)

    async def _check_pair_rules(
        self, tenant_id: str, program_id: str, mentor_id: str, mentee_id: str
    ) -> None:
        pool = self.pools.get(tenant_id, program_id)
        async with pool.lock:
            await self.pools.refresh(pool)
            if mentor_id not in pool.members or mentee_id not in pool.members:
                return
            explanation = pool.explain_pair(mentor_id, mentee_id)
        blocking = [
            text
            for code, text in zip(explanation.excluded_by, explanation.exclusions, strict=True)
            if code in PAIR_RULES
        ]
        if blocking:
            raise Conflict("the program's rules rule out this pair: " + "; ".join(blocking))

    async def get_request(self, principal: Principal, request_id: str) -> dict[str, Any]:
        doc, _, side = await self._request_for(principal, request_id)
        return self.request_view(doc, side)

    @staticmethod
    def request_view(doc: Mapping[str, Any], side: str) -> dict[str, Any]:
        view = {k: v for k, v in doc.items() if k not in ("_id", "tenant_id")}
        if side == "admin":  # the note and the exchange are private to the two
            view.pop("message", None)
            view.pop("conversation", None)
            view.pop("note", None)
        if side != "mentee":
            view.pop("next_best", None)
        view["viewer"] = side
        return view

    async def respond(
        self,
        principal: Principal,
        request_id: str,
        action: Literal["accept", "decline", "ask_info", "provide_info", "withdraw"],
        *,
        reason: str | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        doc, caller, side = await self._request_for(principal, request_id)
        t, p, mentor_id = doc["tenant_id"], doc["program_id"], doc["mentor_id"]
        wanted = "mentee" if action in ("provide_info", "withdraw") else "mentor"
        if side != wanted:
            raise Forbidden(f"only the request's {wanted} can {action.replace('_', ' ')}")
        now = self.clock()
        match_id: str | None = None
        if action == "accept":
            config = await self._program(t, p)
            mentor = await self._mentor_profile(t, p, mentor_id)
            capacity = translation.capacity_of(mentor, config)
            score = await self._pair_score(t, p, mentor_id, doc["mentee_id"])
            match_id = new_id("m")
            desk, _ = await self.run(
                t,
                p,
                mentor_id,
                lambda desk: desk.accept(
                    request_id, match_id=match_id, capacity=capacity, now=now, score=score
                ),
            )
        elif action == "decline":
            desk, _ = await self.run(
                t, p, mentor_id, lambda desk: desk.decline(request_id, reason or "other", text, now)
            )
        elif action == "ask_info":
            desk, _ = await self.run(
                t, p, mentor_id, lambda desk: desk.ask_for_info(request_id, text or "", now)
            )
        elif action == "provide_info":
            desk, _ = await self.run(
                t, p, mentor_id, lambda desk: desk.provide_info(request_id, text or "", now)
            )
        else:
            desk, _ = await self.run(t, p, mentor_id, lambda desk: desk.withdraw(request_id, now))
        await self.touch(t, p, caller.member_id)
        out = self.request_view(self.request_document(desk, request_id), side)
        if match_id is not None:
            out["match"] = self.match_document(desk, match_id)
        return out

    async def _pair_score(
        self, tenant_id: str, program_id: str, mentor_id: str, mentee_id: str
    ) -> float | None:
        pool = self.pools.get(tenant_id, program_id)
        async with pool.lock:
            if mentor_id not in pool.members or mentee_id not in pool.members:
                return None
            return pool.explain_pair(mentor_id, mentee_id).score

    async def list_requests(
        self,
        principal: Principal,
        program_id: str,
        *,
        role: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        member_id = caller.require_member()
        entries = (await self.read_models.member(caller.tenant_id, program_id, member_id)).get(
            "requests", {}
        )
        rows = [
            {
                "request_id": rid,
                **{k: v for k, v in e.items() if k != "other"},
                "other_member_id": e["other"],
            }
            for rid, e in entries.items()
            if (role is None or e["role"] == role) and _status_matches(e["status"], status)
        ]
        return paginate(rows, "requested_at", "request_id", cursor, limit)

    # ------------------------------------------------------------------ matches

    async def get_match(self, principal: Principal, match_id: str) -> dict[str, Any]:
        doc, _, side = await self._match_for(principal, match_id)
        return {**{k: v for k, v in doc.items() if k not in ("_id", "tenant_id")}, "viewer": side}

    async def end_match(
        self, principal: Principal, match_id: str, *, reason: str | None
    ) -> dict[str, Any]:
        doc, caller, side = await self._match_for(principal, match_id)
        t, p = doc["tenant_id"], doc["program_id"]
        default_reason = {"mentor": "completed", "mentee": "completed", "admin": "admin_ended"}[
            side
        ]
        now = self.clock()
        desk, _ = await self.run(
            t,
            p,
            doc["mentor_id"],
            lambda desk: desk.end_match(
                match_id,
                reason=reason or default_reason,
                ended_by=side,  # type: ignore[arg-type]
                ended_by_user_id=principal.user_id,
                now=now,
            ),
        )
        await self.touch(t, p, caller.member_id)
        return {**self.match_document(desk, match_id), "viewer": side}

    async def list_matches(
        self,
        principal: Principal,
        program_id: str,
        *,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        member_id = caller.require_member()
        entries = (await self.read_models.member(caller.tenant_id, program_id, member_id)).get(
            "matches", {}
        )
        rows = [
            {
                "match_id": mid,
                **{k: v for k, v in e.items() if k != "other"},
                "other_member_id": e["other"],
            }
            for mid, e in entries.items()
            if status is None or e["status"] == status
        ]
        return paginate(rows, "started_at", "match_id", cursor, limit)

    # ------------------------------------------------------------------ mentors

    async def set_availability(
        self,
        principal: Principal,
        program_id: str,
        *,
        paused: bool,
        until: datetime | None,
        reason: str | None,
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        mentor_id = caller.require_role("mentor", "pause or resume taking mentees")
        now = self.clock()

        def command(desk: MentorDesk) -> None:
            if paused:
                desk.pause_intake(
                    until=until, reason=reason, mentor_user_id=principal.user_id, now=now
                )
            else:
                desk.resume_intake(principal.user_id, now)

        desk, _ = await self.run(caller.tenant_id, program_id, mentor_id, command)
        await self.touch(caller.tenant_id, program_id, mentor_id)
        return {"mentor_id": mentor_id, "paused": desk.paused_at(now), "pause": desk.pause}

    async def mentor_card(
        self, principal: Principal, program_id: str, mentor_id: str
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        t = caller.tenant_id
        profile = caller.visible_mentor(await self._mentor_profile(t, program_id, mentor_id))
        program = await self.store.program(t, program_id)
        config = program["config"] if program else None
        capacity = translation.capacity_of(profile, config)
        load = int(profile.get("load", 0))
        activity = await self.read_models.member(t, program_id, mentor_id)
        snap = profile.get("snapshot") or {}
        now = self.clock()
        paused = translation.is_paused(profile, now)
        pause = profile.get("pause") or {}
        return {
            "mentor_id": mentor_id,
            "user_id": profile["user_id"],
            "display_name": snap.get("display_name"),
            "headline": snap.get("headline"),
            "approved": bool(profile.get("mentor_approved")),
            "accepting_mentees": bool(snap.get("accepting_mentees")) and not paused,
            "paused": paused,
            "pause_until": pause.get("until") if paused else None,
            "pause_reason": pause.get("reason") if paused else None,
            # why the platform paused them is for the mentor to read, not for mentees
            "pause_note": pause.get("note")
            if paused and profile["user_id"] == principal.user_id
            else None,
            "capacity": capacity,
            "active_mentees": load,
            "free_slots": max(capacity - load, 0),
            "last_active_at": activity.get("last_active_at"),
        }

    # ------------------------------------------------------------------ groups

    async def open_group(
        self,
        principal: Principal,
        program_id: str,
        *,
        title: str,
        description: str | None,
        capacity: int,
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        mentor_id = caller.require_role("mentor", "open a group")
        config = await self._program(caller.tenant_id, program_id)
        if "group" not in config.get("modes", []):
            raise Conflict("this program has no group mentoring")
        limit = config.get("max_group_size")
        if limit is not None and capacity > int(limit):
            raise InvalidInput(
                f"this program's groups take at most {limit} mentees", field="capacity"
            )
        profile = await self._mentor_profile(caller.tenant_id, program_id, mentor_id)
        if not profile.get("mentor_approved"):
            raise Conflict("you are not an approved mentor in this program yet")
        group_id = new_id("g")
        now = self.clock()
        await self.run(
            caller.tenant_id,
            program_id,
            mentor_id,
            lambda desk: desk.open_group(
                group_id=group_id,
                title=title,
                description=description,
                capacity=capacity,
                mentor_user_id=principal.user_id,
                now=now,
            ),
        )
        await self.touch(caller.tenant_id, program_id, mentor_id)
        return (await self.read_models.program_groups(caller.tenant_id, program_id))[group_id]

    async def list_groups(
        self, principal: Principal, program_id: str, *, cursor: str | None, limit: int
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        groups = await self.read_models.program_groups(caller.tenant_id, program_id)
        return paginate(list(groups.values()), "opened_at", "group_id", cursor, limit)

    async def get_group(
        self, principal: Principal, program_id: str, group_id: str
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        group = (await self.read_models.program_groups(caller.tenant_id, program_id)).get(group_id)
        if group is None:
            raise NotFound("group not found")
        return group

    async def join_group(
        self, principal: Principal, program_id: str, group_id: str, *, message: str
    ) -> dict[str, Any]:
        group = await self.get_group(principal, program_id, group_id)
        return await self.request_mentorship(
            principal, program_id, mentor_id=group["mentor_id"], message=message, group_id=group_id
        )

    # ------------------------------------------------------------------ system

    async def check_desk(self, desk_ref: DeskRef) -> None:
        """Scheduled: expire due requests and end due pauses of one desk."""
        tenant_id, program_id, mentor_id = desk_ref
        now = self.clock()

        def command(desk: MentorDesk) -> None:
            desk.expire_due(now, pause_after=self.auto_pause_after_unanswered)
            desk.end_pause_if_due(now)

        await self.run(tenant_id, program_id, mentor_id, command)

    async def due_desks(self) -> list[tuple[datetime, DeskRef]]:
        """Open requests (from MongoDB) and timed pauses (from the pools in memory)."""
        out = []
        for doc in await self.read_models.open_requests():
            out.append(
                (
                    datetime.fromisoformat(doc["expires_at"]),
                    (doc["tenant_id"], doc["program_id"], doc["mentor_id"]),
                )
            )
        for pool in list(self.pools.pools.values()):
            for member in list(pool.members.values()):
                until = (member.doc.get("pause") or {}).get("until")
                if until:
                    ref = (pool.tenant_id, pool.program_id, member.member_id)
                    out.append((datetime.fromisoformat(until), ref))
        return out

    async def member_left(self, tenant_id: str, program_id: str, member_id: str) -> None:
        """Erasure: close every open request and mentorship the member is part of."""
        now = self.clock()
        member = await self.read_models.member(tenant_id, program_id, member_id)
        desks = {
            e["other"]
            for entries in (member.get("requests", {}), member.get("matches", {}))
            for e in entries.values()
            if e["role"] == "mentee"
        }

        def as_mentor(desk: MentorDesk) -> None:
            desk.cancel_requests_of(member_id, "mentor_left", now)
            desk.forget_texts_of(member_id, now)
            for match_id, match in list(desk.matches.items()):
                if match["status"] == "active":
                    desk.end_match(
                        match_id,
                        reason="mentor_left",
                        ended_by="system",
                        ended_by_user_id=None,
                        now=now,
                    )

        def as_mentee(desk: MentorDesk) -> None:
            desk.cancel_requests_of(member_id, "mentee_left", now)
            desk.forget_texts_of(member_id, now)
            for match_id, match in list(desk.matches.items()):
                if match["status"] == "active" and match["mentee_id"] == member_id:
                    desk.end_match(
                        match_id,
                        reason="mentee_left",
                        ended_by="system",
                        ended_by_user_id=None,
                        now=now,
                    )

        if any(e["role"] == "mentor" for e in member.get("requests", {}).values()) or any(
            e["role"] == "mentor" for e in member.get("matches", {}).values()
        ):
            desk, _ = await self.run(tenant_id, program_id, member_id, as_mentor)
            await self.desks.scrub_texts(desk.stream_id, set(desk.requests))
        for mentor_id in sorted(desks):
            desk, _ = await self.run(tenant_id, program_id, mentor_id, as_mentee)
            mine = {r for r, req in desk.requests.items() if req["mentee_id"] == member_id}
            await self.desks.scrub_texts(desk.stream_id, mine)
        # The notes they wrote live in the request documents: those go with them.
        for request_id, entry in member.get("requests", {}).items():
            if entry["role"] == "mentee":
                await self.read_models.delete_request(request_id)


def _status_matches(status: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == "open":
        return status in d.OPEN_STATUSES
    return status == wanted


def encode_cursor(sort_value: Any, item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([sort_value, item_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        sort_value, item_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return sort_value, str(item_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("cursor is not one this API returned", field="cursor") from exc


def paginate(
    rows: list[dict[str, Any]], sort_field: str, id_field: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    """Newest first by ``sort_field`` (ties by id); the cursor is the last item's position."""
    rows = sorted(rows, key=lambda r: (str(r.get(sort_field) or ""), r[id_field]), reverse=True)
    if cursor:
        after = decode_cursor(cursor)
        position = (str(after[0] or ""), after[1])
        rows = [r for r in rows if (str(r.get(sort_field) or ""), r[id_field]) < position]
    page = rows[:limit]
    next_cursor = (
        encode_cursor(page[-1].get(sort_field), page[-1][id_field]) if len(rows) > limit else None
    )
    return {"items": page, "next_cursor": next_cursor}
