"""A mentor who is not approved is explained as pending or rejected, from profiles'
application events, whatever order the two topics deliver them in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.application.mentor_applications import (
    MentorApplicationProjector,
    application_rank,
)
from matching.domain.explanations import Explanation, with_application_state
from mentorship_contracts.events.programs import (
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
)

T, P, M = "t1", "p1", "m-new"


class FakeApplications:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str, str], dict[str, Any]] = {}

    async def mentor_application(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None:
        return self.docs.get((tenant_id, program_id, member_id))

    async def put_mentor_application(
        self, tenant_id: str, program_id: str, member_id: str, doc: Mapping[str, Any]
    ) -> None:
        self.docs[(tenant_id, program_id, member_id)] = dict(doc)


def submitted(n: int) -> MentorApplicationSubmittedV1:
    return MentorApplicationSubmittedV1(
        tenant_id=T, program_id=P, member_id=M, user_id="user-new", application_id=f"{M}.a{n}"
    )


def decided(n: int, decision: str) -> MentorApplicationDecidedV1:
    return MentorApplicationDecidedV1(
        tenant_id=T,
        program_id=P,
        member_id=M,
        user_id="user-new",
        application_id=f"{M}.a{n}",
        decision=decision,  # type: ignore[arg-type]
        reason="other" if decision == "rejected" else None,
        decided_by_user_id="user-admin",
    )


def test_rank_orders_by_application_number_then_decision() -> None:
    assert application_rank("m.a1", "submitted") < application_rank("m.a1", "rejected")
    assert application_rank("m.a1", "rejected") < application_rank("m.a2", "submitted")
    assert application_rank("m.a10", "submitted") > application_rank("m.a9", "approved")


async def test_the_latest_application_wins_in_any_order() -> None:
    store = FakeApplications()
    projector = MentorApplicationProjector(applications=store)
    assert await projector.decided(decided(1, "rejected"))
    assert not await projector.submitted(submitted(1))  # late: the decision stands
    assert not await projector.decided(decided(1, "rejected"))  # duplicate
    assert store.docs[(T, P, M)]["state"] == "rejected"
    assert await projector.submitted(submitted(2))  # applied again
    assert store.docs[(T, P, M)]["state"] == "submitted"
    assert not await projector.decided(decided(1, "rejected"))


def _not_approved() -> Explanation:
    return Explanation(
        mentor_id=M,
        mentee_id="m-sam",
        feasible=False,
        score=None,
        contributions=(),
        reasons=(),
        exclusions=("mentor is not approved in this program", "no shared language"),
        excluded_by=("mentor_not_approved", "no_shared_language"),
    )


def test_the_explanation_says_pending_or_rejected() -> None:
    plain = _not_approved()
    assert with_application_state(plain, None) == plain
    assert with_application_state(plain, "approved") == plain  # approval is not stored yet
    pending = with_application_state(plain, "submitted")
    assert pending.exclusions == (
        "mentor's application is waiting for approval",
        "no shared language",
    )
    rejected = with_application_state(plain, "rejected")
    assert "application rejected" in rejected.exclusions[0]
    assert "yet" not in rejected.summary()
