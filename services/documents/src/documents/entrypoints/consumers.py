"""Kafka consumers: who belongs where (programs, spaces, conversations), and erasure.

Typed subscribers: the kit validates each payload, checks its tenant against the
envelope, skips event ids already processed, retries and dead-letters. The effects are
idempotent too (version-guarded memberships, upserts by space and conversation id).
"""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from documents.application.directory import DirectoryChanges
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.messaging import MessageSentV1
from mentorship_contracts.events.profiles import ProfileChangedV1


def register(runtime: Runtime, changes: DirectoryChanges) -> None:
    @runtime.consumers.on(MatchMadeV1, name="space-opened")
    async def on_match_made(event: Consumed[MatchMadeV1]) -> None:
        made = event.payload
        members = [made.mentor.user_id, *(m.user_id for m in made.mentees)]
        await changes.space_opened(made.tenant_id, made.match_id, made.program_id, members)

    @runtime.consumers.on(MentorshipEndedV1, name="space-ended")
    async def on_mentorship_ended(event: Consumed[MentorshipEndedV1]) -> None:
        ended = event.payload
        await changes.space_ended(ended.tenant_id, ended.match_id, ended.program_id)

    @runtime.consumers.on(ProfileChangedV1, name="program-members")
    async def on_profile_changed(event: Consumed[ProfileChangedV1]) -> None:
        p = event.payload
        await changes.member_changed(
            p.tenant_id, p.program_id, p.user_id, p.profile_version, erased=p.erased
        )

    @runtime.consumers.on(MessageSentV1, name="conversation-members")
    async def on_message_sent(event: Consumed[MessageSentV1]) -> None:
        m = event.payload
        await changes.conversation_seen(
            m.tenant_id, m.conversation_id, [m.sender_user_id, *m.recipient_user_ids]
        )
