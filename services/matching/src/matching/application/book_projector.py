"""The projector of mentors' books: turns saved book events into the read models.

After every save (and for every book during a rebuild) it writes the request, match and
group documents the events touched, both members' summaries, and the mentor's and mentees'
availability on their profiles (load, pause, active matches), which the scoring pools pick
up. Open requests and timed pauses go on the expiry queue. Every write is a whole-entry
put of what the book says, so projecting a book twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from chassis.domain import DomainEvent
from matching.application.ports import ExpiryQueue, MentorshipReadModel, Pools, Profiles
from matching.application.views import group_document, match_document, request_document
from matching.domain import mentor_events as ev
from matching.domain.mentor_book import OPEN_STATUSES, MentorBook

NextBest = Callable[[str, str, str, set[str]], Awaitable[list[dict[str, Any]] | None]]


def touched(
    book: MentorBook, events: Sequence[DomainEvent]
) -> tuple[list[str], list[str], list[str], bool]:
    """The requests, matches and groups the events changed, and whether the pause did."""
    requests: dict[str, None] = {}
    matches: dict[str, None] = {}
    groups: dict[str, None] = {}
    pause_changed = False
    for event in events:
        if isinstance(event, ev.MatchStarted | ev.MatchEnded):
            matches[event.match_id] = None
            group_id = book.matches[event.match_id].get("group_id")
            if group_id:
                groups[group_id] = None
        elif isinstance(event, ev.TextsForgotten):
            requests.update(dict.fromkeys(event.request_ids))
        elif isinstance(event, ev.GroupOpened | ev.GroupClosed):
            groups[event.group_id] = None
        elif isinstance(event, ev.MentorPaused | ev.MentorResumed):
            pause_changed = True
        else:
            requests[event.request_id] = None  # type: ignore[attr-defined]
    return list(requests), list(matches), list(groups), pause_changed


class MentorBookProjector:
    def __init__(
        self,
        *,
        read_models: MentorshipReadModel,
        profiles: Profiles,
        pools: Pools,
        expiry: ExpiryQueue,
        next_best: NextBest,
    ) -> None:
        self.read_models = read_models
        self.profiles = profiles
        self.pools = pools
        self.expiry = expiry
        self.next_best = next_best

    async def project(self, book: MentorBook, events: Sequence[DomainEvent]) -> None:
        requests, matches, groups, pause_changed = touched(book, events)
        for request_id in requests:
            await self._request(book, request_id)
        for match_id in matches:
            await self._match(book, match_id)
        for group_id in groups:
            await self.read_models.put_group(
                book.tenant_id, book.program_id, group_document(book, group_id)
            )
        if matches or pause_changed:
            await self._mentor_availability(book, pause_changed)
        mentees = {book.matches[m]["mentee_id"] for m in matches}
        for mentee in sorted(mentees):
            await self._mentee_availability(book.tenant_id, book.program_id, mentee)

    async def _request(self, book: MentorBook, request_id: str) -> None:
        t, p, mentor = book.tenant_id, book.program_id, book.mentor_id
        doc = request_document(book, request_id)
        if doc["status"] in ("declined", "expired"):
            offers = await self.next_best(t, p, doc["mentee_id"], {mentor})
            if offers is not None:
                doc["next_best"] = offers
        await self.read_models.put_request(request_id, doc)
        summary = {
            "status": doc["status"],
            "group_id": doc["group_id"],
            "requested_at": doc["requested_at"],
            "expires_at": doc["expires_at"],
            "updated_at": doc["updated_at"],
        }
        mine = {request_id: {**summary, "role": "mentor", "other": doc["mentee_id"]}}
        theirs = {request_id: {**summary, "role": "mentee", "other": mentor}}
        await self.read_models.put_member_entries(t, p, mentor, requests=mine)
        await self.read_models.put_member_entries(t, p, doc["mentee_id"], requests=theirs)
        if doc["status"] in OPEN_STATUSES:
            self.expiry.schedule(datetime.fromisoformat(doc["expires_at"]), (t, p, mentor))

    async def _match(self, book: MentorBook, match_id: str) -> None:
        t, p, mentor = book.tenant_id, book.program_id, book.mentor_id
        doc = match_document(book, match_id)
        await self.read_models.put_match(match_id, doc)
        summary = {
            "status": doc["status"],
            "mode": doc["mode"],
            "group_id": doc["group_id"],
            "started_at": doc["started_at"],
            "ended_at": doc["ended_at"],
        }
        mine = {match_id: {**summary, "role": "mentor", "other": doc["mentee_id"]}}
        theirs = {match_id: {**summary, "role": "mentee", "other": mentor}}
        await self.read_models.put_member_entries(t, p, mentor, matches=mine)
        await self.read_models.put_member_entries(t, p, doc["mentee_id"], matches=theirs)

    async def _mentor_availability(self, book: MentorBook, pause_changed: bool) -> None:
        t, p, mentor = book.tenant_id, book.program_id, book.mentor_id
        fields: dict[str, Any] = {"load": book.active_one_to_one()}
        if pause_changed:
            fields["pause"] = book.pause
            if book.pause and book.pause.get("until"):
                self.expiry.schedule(datetime.fromisoformat(book.pause["until"]), (t, p, mentor))
        seq = await self.profiles.write_availability(t, p, mentor, fields)
        if seq is not None:
            await self.pools.apply_own_write(t, p, mentor, seq)

    async def _mentee_availability(self, tenant_id: str, program_id: str, mentee: str) -> None:
        entries = (await self.read_models.member(tenant_id, program_id, mentee)).get("matches", {})
        active = sum(
            1 for e in entries.values() if e["role"] == "mentee" and e["status"] == "active"
        )
        fields = {"mentee_matches": active}
        seq = await self.profiles.write_availability(tenant_id, program_id, mentee, fields)
        if seq is not None:
            await self.pools.apply_own_write(tenant_id, program_id, mentee, seq)
