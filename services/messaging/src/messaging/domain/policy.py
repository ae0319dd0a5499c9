"""What a program allows in messaging (set by its admins; the default allows no direct
conversations: members talk where a match or an admin put them)."""

from __future__ import annotations

from chassis.domain import Aggregate, DomainEvent, applies


def policy_stream(tenant_id: str, program_id: str) -> str:
    return f"policy-{tenant_id}-{program_id}"


class DirectConversationsAllowed(DomainEvent):
    TYPE = "DirectConversationsAllowed"
    tenant_id: str
    program_id: str
    allowed: bool
    by: str


class ProgramPolicy(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.direct_conversations = False

    def allow_direct(self, tenant_id: str, program_id: str, allowed: bool, by: str) -> None:
        if self.version and allowed == self.direct_conversations:
            return
        self.record(
            DirectConversationsAllowed(
                tenant_id=tenant_id, program_id=program_id, allowed=allowed, by=by
            )
        )

    @applies(DirectConversationsAllowed)
    def _allowed(self, e: DirectConversationsAllowed) -> None:
        self.tenant_id, self.direct_conversations = e.tenant_id, e.allowed
