"""The application projector: what profiles' ``mentor-application-submitted`` and
``mentor-application-decided`` events tell matching.

Only the state of a member's latest application is kept, so an explanation can say a
mentor is waiting for approval or was not approved, instead of one "not approved" for
both (approval itself still comes from ``mentor_approved`` on ``profile-changed``).

The two topics are not ordered with each other, so each event is placed by its
application's number (profiles numbers them ``<member>.a<n>``) and, for the same
application, a decision outranks the submission: a late or repeated event changes nothing.
"""

from __future__ import annotations

from typing import Any

from matching.application.ports import MentorApplications
from mentorship_contracts.events.programs import (
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
)


def application_rank(application_id: str, state: str) -> tuple[int, int]:
    """Order of application events: by number (``...a<n>``), then decided after submitted."""
    _, _, number = application_id.rpartition(".a")
    return (int(number) if number.isdigit() else 0, 0 if state == "submitted" else 1)


class MentorApplicationProjector:
    def __init__(self, *, applications: MentorApplications) -> None:
        self.applications = applications

    async def submitted(self, payload: MentorApplicationSubmittedV1) -> bool:
        return await self._record(
            payload.tenant_id,
            payload.program_id,
            payload.member_id,
            {
                "application_id": payload.application_id,
                "state": "submitted",
                "reason": None,
            },
        )

    async def decided(self, payload: MentorApplicationDecidedV1) -> bool:
        return await self._record(
            payload.tenant_id,
            payload.program_id,
            payload.member_id,
            {
                "application_id": payload.application_id,
                "state": payload.decision,
                "reason": payload.reason,
            },
        )

    async def _record(
        self, tenant_id: str, program_id: str, member_id: str, doc: dict[str, Any]
    ) -> bool:
        """Store ``doc`` unless what is stored is as recent; False when it changed nothing."""
        current = await self.applications.mentor_application(tenant_id, program_id, member_id)
        rank = application_rank(doc["application_id"], doc["state"])
        if (
            current is not None
            and application_rank(str(current["application_id"]), str(current["state"])) >= rank
        ):
            return False
        await self.applications.put_mentor_application(tenant_id, program_id, member_id, doc)
        return True
