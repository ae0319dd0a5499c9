"""Members only: a conversation or message the caller may not read does not exist for them.

Every use case that names a conversation starts here, so a non-member (or a caller of
another tenant) gets the same 404 wherever they try, reading, posting, searching or
subscribing.
"""

from __future__ import annotations

from chassis.access import ProgramFacts, standing
from chassis.auth import Principal
from chassis.errors import NotFound
from messaging.application.ports import Directory, Repository
from messaging.domain.conversation import Conversation

MISSING = "no such conversation"


async def member_conversation(
    conversations: Repository[Conversation], principal: Principal, conversation_id: str
) -> Conversation:
    if len(conversation_id) > 200:
        raise NotFound(MISSING)
    conversation = await conversations.load(conversation_id)
    if (
        not conversation.exists
        or conversation.tenant_id != principal.tenant_id
        or not conversation.is_member(principal.user_id)
    ):
        raise NotFound(MISSING)
    return conversation


async def is_program_admin(directory: Directory, principal: Principal, program_id: str) -> bool:
    program = await directory.program(principal.tenant_id, program_id)
    roles = await directory.member_roles(principal.tenant_id, program_id, principal.user_id)
    facts = (
        None
        if program is None
        else ProgramFacts.of(principal.tenant_id, program["organization_id"], program["partners"])
    )
    return standing(principal, facts, roles).admin
