"""Use case: rebuild the mentorship read models from the event store.

Requests, mentorships, groups, the members' summaries and the mentors' availability are
projections of the mentors' books: this replays every book through the projector after a
loss, and repairs what a crash between a save and its projection left behind. The books'
snapshots are rewritten from the events too.
"""

from __future__ import annotations

from matching.application.book_changes import Projector
from matching.application.ports import MentorBooks


class RebuildReadModels:
    def __init__(self, *, books: MentorBooks, projector: Projector) -> None:
        self.books = books
        self.projector = projector

    async def __call__(self) -> int:
        """Returns the number of books replayed."""
        count = 0
        async for book, events in self.books.all_books():
            await self.books.write_snapshot(book)
            await self.projector.project(book, events)
            count += 1
        return count
