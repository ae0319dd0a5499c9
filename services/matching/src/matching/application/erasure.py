"""Use case: a member was erased (``profile-changed`` with ``erased``).

Their open requests close (``mentor_left`` / ``mentee_left``), their mentorships end
(``ended_by: system``), what they wrote is blanked in the books' state and in the stored
events, and the request documents holding their words go.
"""

from __future__ import annotations

from collections.abc import Callable

from matching.application.book_changes import MentorBookChanges
from matching.application.ports import Clock, MentorBooks, MentorshipReadModel
from matching.domain.mentor_book import MentorBook


class RemoveDepartedMember:
    def __init__(
        self,
        *,
        changes: MentorBookChanges,
        books: MentorBooks,
        read_models: MentorshipReadModel,
        clock: Clock,
    ) -> None:
        self.changes = changes
        self.books = books
        self.read_models = read_models
        self.clock = clock

    async def __call__(self, tenant_id: str, program_id: str, member_id: str) -> None:
        now = self.clock()
        member = await self.read_models.member(tenant_id, program_id, member_id)
        entries = [*member.get("requests", {}).values(), *member.get("matches", {}).values()]
        mentors = {e["other"] for e in entries if e["role"] == "mentee"}

        def leave(reason: str) -> Callable[[MentorBook], None]:
            def command(book: MentorBook) -> None:
                book.cancel_requests_of(member_id, reason, now)
                book.forget_texts_of(member_id, now)
                book.end_matches_of(member_id, reason, now)

            return command

        if any(e["role"] == "mentor" for e in entries):
            book, _ = await self.changes.change(
                tenant_id, program_id, member_id, leave("mentor_left")
            )
            await self.books.forget_texts(book.stream_id, set(book.requests))
        for mentor_id in sorted(mentors):
            book, _ = await self.changes.change(
                tenant_id, program_id, mentor_id, leave("mentee_left")
            )
            mine = {r for r, req in book.requests.items() if req["mentee_id"] == member_id}
            await self.books.forget_texts(book.stream_id, mine)
        # The notes they wrote live in the request documents: those go with them.
        for request_id, entry in member.get("requests", {}).items():
            if entry["role"] == "mentee":
                await self.read_models.delete_request(request_id)
