"""The matching service's use cases and queries, as the entrypoints see them.

Built (and wired) by :mod:`matching.bootstrap` only; every attribute is a use case (one
command each), a query object, or a piece the lifespan starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chassis.idempotency import IdempotencyStore
from matching.adapters.embedder import Embedder
from matching.adapters.mentor_books import MentorBookRepository
from matching.adapters.profile_store import ProfileStore
from matching.adapters.read_models import MatchingReadModels
from matching.application.answer_request import (
    AcceptRequest,
    AskForInfo,
    DeclineRequest,
    ProvideInfo,
    WithdrawRequest,
)
from matching.application.expiry import ExpirySweeper
from matching.application.mentor_applications import MentorApplicationProjector
from matching.application.mentor_changes import EndMentorship, OpenGroup, PauseMentor, ResumeMentor
from matching.application.mentorship_queries import MentorshipQueries
from matching.application.profile_projector import ProfileProjector
from matching.application.rebuild import RebuildReadModels
from matching.application.recommendation_queries import RecommendationQueries
from matching.application.recommendations import RecommendationWriter
from matching.application.request_mentorship import JoinGroup, RequestMentorship
from matching.application.rounds import BulkRounds
from matching.application.scoring_pools import ScoringPools


class Clock:
    """Wall-clock time, shiftable for tests and demos of expiry (``shift``)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def shift(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class MatchingService:
    # commands
    request_mentorship: RequestMentorship
    join_group: JoinGroup
    accept_request: AcceptRequest
    decline_request: DeclineRequest
    ask_for_info: AskForInfo
    provide_info: ProvideInfo
    withdraw_request: WithdrawRequest
    end_mentorship: EndMentorship
    pause_mentor: PauseMentor
    resume_mentor: ResumeMentor
    open_group: OpenGroup
    rounds: BulkRounds
    rebuild_read_models: RebuildReadModels
    # queries
    mentorships: MentorshipQueries
    recommendations: RecommendationQueries
    # consumers and what the lifespan starts
    projector: ProfileProjector
    applications: MentorApplicationProjector
    writer: RecommendationWriter
    expiry: ExpirySweeper
    # stores and the clock (startup, tools and tests)
    store: ProfileStore
    read_models: MatchingReadModels
    books: MentorBookRepository
    pools: ScoringPools
    embedder: Embedder
    idempotency: IdempotencyStore
    clock: Clock
