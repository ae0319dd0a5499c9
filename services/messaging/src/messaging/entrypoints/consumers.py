"""What messaging follows on Kafka: matches, their ends, programs and profiles (erasure
included), and document shares (for attachments)."""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from mentorship_contracts.events.documents import DocumentSharedV1
from mentorship_contracts.events.knowledge import KnowledgeEntryWithdrawnV1
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1
from messaging.adapters.attachments import SharedDocumentsAttachments
from messaging.adapters.directory import DirectoryStore
from messaging.application.conversations import FollowMatches
from messaging.application.erasure import EraseMember
from messaging.application.exchanges import ExchangeUseCases


def register(
    runtime: Runtime,
    matches: FollowMatches,
    directory: DirectoryStore,
    erase: EraseMember,
    shares: SharedDocumentsAttachments,
) -> None:
    @runtime.consumers.on(MatchMadeV1, name="conversations-opened")
    async def on_match_made(event: Consumed[MatchMadeV1]) -> None:
        await matches.match_made(event.payload)

    @runtime.consumers.on(MentorshipEndedV1, name="conversations-archived")
    async def on_mentorship_ended(event: Consumed[MentorshipEndedV1]) -> None:
        await matches.mentorship_ended(event.payload)

    @runtime.consumers.on(ProgramChangedV1, name="directory-programs")
    async def on_program_changed(event: Consumed[ProgramChangedV1]) -> None:
        await directory.program_changed(event.payload)

    @runtime.consumers.on(ProfileChangedV1, name="directory-members")
    async def on_profile_changed(event: Consumed[ProfileChangedV1]) -> None:
        payload = event.payload
        await directory.profile_changed(payload)
        if payload.erased:
            await erase(payload.tenant_id, payload.program_id, payload.user_id)

    @runtime.consumers.on(DocumentSharedV1, name="attachment-shares")
    async def on_document_shared(event: Consumed[DocumentSharedV1]) -> None:
        await shares.document_shared(event.payload)


def register_exchanges(runtime: Runtime, exchanges: ExchangeUseCases) -> None:
    @runtime.consumers.on(KnowledgeEntryWithdrawnV1, name="library-withdrawals")
    async def on_entry_withdrawn(event: Consumed[KnowledgeEntryWithdrawnV1]) -> None:
        await exchanges.entry_withdrawn(event.payload)
