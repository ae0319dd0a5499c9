"""Conversations: opened and archived by matches, opened by members (direct, where the
program allows) and by program admins (rooms), who also manage the rooms' members."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from chassis.auth import Principal
from chassis.errors import Forbidden, InvalidInput, NotFound
from chassis.eventstore import ConcurrencyError
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from messaging.application.access import is_program_admin, member_conversation
from messaging.application.fanout import Fanout
from messaging.application.ports import ConversationIndex, Directory, Repository
from messaging.application.reading import Unread
from messaging.domain.conversation import MAX_MEMBERS, Conversation
from messaging.domain.policy import ProgramPolicy, policy_stream


def view(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.stream_id,
        "program_id": conversation.program_id,
        "kind": conversation.kind,
        "title": conversation.title,
        "members": conversation.members,
        "archived": conversation.archived,
        "knowledge_sharing": conversation.knowledge_sharing,
        "consented": conversation.consents,
        "version": conversation.version,
    }


class ConversationChanges:
    """Load, change, save with one retry on a concurrent writer, then index and tell."""

    def __init__(
        self, conversations: Repository[Conversation], index: ConversationIndex, fanout: Fanout
    ) -> None:
        self.conversations, self.index, self.fanout = conversations, index, fanout

    async def change(
        self, conversation_id: str, change: Callable[[Conversation], Awaitable[None] | None]
    ) -> Conversation:
        for attempt in range(5):
            conversation = await self.conversations.load(conversation_id)
            before = set(conversation.members)
            result = change(conversation)
            if result is not None:
                await result
            if not conversation.pending:
                return conversation
            try:
                await self.conversations.save(conversation)
            except ConcurrencyError:
                if attempt == 4:
                    raise
                continue
            await self.index.put(conversation)
            told = sorted(before | set(conversation.members))
            await self.fanout.tell(
                conversation.tenant_id,
                told,
                {"kind": "conversation.updated", "conversation_id": conversation_id},
            )
            return conversation
        raise AssertionError("unreachable")  # pragma: no cover


class FollowMatches:
    """``match-made`` opens (or joins) the conversation; ``mentorship-ended`` archives a
    pair's and takes the mentee out of a group's. Either may arrive first."""

    def __init__(self, changes: ConversationChanges, index: ConversationIndex) -> None:
        self.changes, self.index = changes, index

    async def match_made(self, event: MatchMadeV1) -> None:
        tenant = event.tenant_id
        conversation_id = f"g-{event.group_id}" if event.group_id else f"m-{event.match_id}"
        users = [event.mentor.user_id, *(m.user_id for m in event.mentees)]
        match = await self.index.match(tenant, event.match_id)
        await self.index.remember_match(tenant, event.match_id, conversation_id)

        def open_or_join(c: Conversation) -> None:
            if not c.exists:
                c.open(
                    tenant_id=tenant,
                    program_id=event.program_id,
                    kind="group" if event.group_id else "pair",
                    members=users,
                    match_id=event.match_id,
                    group_id=event.group_id,
                )
            elif c.tenant_id != tenant:
                return  # an id of another tenant: never touched
            elif not c.archived:
                for user in users:
                    c.join(user, match_id=event.match_id)
            if match is not None and match.get("ended"):
                c.end_match(event.match_id, match.get("reason") or "ended")

        await self.changes.change(conversation_id, open_or_join)

    async def mentorship_ended(self, event: MentorshipEndedV1) -> None:
        tenant = event.tenant_id
        await self.index.remember_match(
            tenant, event.match_id, None, ended=True, reason=event.reason
        )
        match = await self.index.match(tenant, event.match_id)
        if match is None or not match.get("conversation_id"):
            return  # match-made has not arrived yet: it will see the end

        def end(c: Conversation) -> None:
            if c.exists and c.tenant_id == tenant:
                c.end_match(event.match_id, event.reason)

        await self.changes.change(match["conversation_id"], end)


class ListMyConversations:
    def __init__(self, index: ConversationIndex, unread: Unread) -> None:
        self.index, self.unread = index, unread

    async def __call__(self, principal: Principal) -> list[dict[str, Any]]:
        rows = await self.index.of_member(principal.tenant_id, principal.user_id)
        out = []
        for row in rows:
            count = await self.unread.count(principal, row["conversation_id"])
            out.append({**row, "unread": count})
        out.sort(key=lambda r: (-r["unread"], r["conversation_id"]))
        return out


class ViewConversation:
    def __init__(self, conversations: Repository[Conversation], unread: Unread) -> None:
        self.conversations, self.unread = conversations, unread

    async def __call__(self, principal: Principal, conversation_id: str) -> dict[str, Any]:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        return {**view(conversation), "unread": await self.unread.count(principal, conversation_id)}


class SetSharingConsent:
    def __init__(
        self, conversations: Repository[Conversation], changes: ConversationChanges
    ) -> None:
        self.conversations, self.changes = conversations, changes

    async def __call__(
        self, principal: Principal, conversation_id: str, consented: bool
    ) -> dict[str, Any]:
        await member_conversation(self.conversations, principal, conversation_id)
        changed = await self.changes.change(
            conversation_id, lambda c: c.consent(principal.user_id, consented)
        )
        return view(changed)


class SetProgramPolicy:
    def __init__(self, policies: Repository[ProgramPolicy], directory: Directory) -> None:
        self.policies, self.directory = policies, directory

    async def __call__(self, principal: Principal, program_id: str, direct: bool) -> dict[str, Any]:
        if not await is_program_admin(self.directory, principal, program_id):
            raise NotFound("no such program (or you do not administer it)")
        policy = await self.policies.load(policy_stream(principal.tenant_id, program_id))
        policy.allow_direct(principal.tenant_id, program_id, direct, principal.user_id)
        await self.policies.save(policy)
        return {"program_id": program_id, "direct_conversations": policy.direct_conversations}


class OpenDirect:
    """A member opens a conversation with another member of the same program, where the
    program allows it; asking again returns the same conversation."""

    def __init__(
        self,
        changes: ConversationChanges,
        policies: Repository[ProgramPolicy],
        directory: Directory,
    ) -> None:
        self.changes, self.policies, self.directory = changes, policies, directory

    async def __call__(self, principal: Principal, program_id: str, other: str) -> dict[str, Any]:
        tenant, me = principal.tenant_id, principal.user_id
        if await self.directory.member_roles(tenant, program_id, me) is None:
            raise NotFound("no such program")
        if other == me:
            raise InvalidInput("a direct conversation is with someone else", field="user_id")
        if await self.directory.member_roles(tenant, program_id, other) is None:
            raise NotFound("no such member in this program")
        policy = await self.policies.load(policy_stream(tenant, program_id))
        if not policy.direct_conversations:
            raise Forbidden("this program does not allow direct conversations")
        pair = "|".join([tenant, program_id, *sorted([me, other])])
        conversation_id = "d-" + hashlib.sha256(pair.encode()).hexdigest()[:32]

        def open_once(c: Conversation) -> None:
            if not c.exists:
                c.open(
                    tenant_id=tenant,
                    program_id=program_id,
                    kind="direct",
                    members=[me, other],
                    opened_by=me,
                )

        return view(await self.changes.change(conversation_id, open_once))


class ManageRooms:
    """Program admins open rooms and add or remove their members (program members only)."""

    def __init__(
        self,
        changes: ConversationChanges,
        conversations: Repository[Conversation],
        directory: Directory,
    ) -> None:
        self.changes, self.conversations, self.directory = changes, conversations, directory

    async def _admin(self, principal: Principal, program_id: str) -> None:
        if not await is_program_admin(self.directory, principal, program_id):
            raise NotFound("no such program (or you do not administer it)")

    async def _members(self, principal: Principal, program_id: str, users: list[str]) -> None:
        for user in users:
            if await self.directory.member_roles(principal.tenant_id, program_id, user) is None:
                raise InvalidInput(f"{user} is not a member of this program", field="members")

    async def open(
        self, principal: Principal, program_id: str, title: str, members: list[str]
    ) -> dict[str, Any]:
        await self._admin(principal, program_id)
        if len(members) > MAX_MEMBERS:
            raise InvalidInput(f"a room has at most {MAX_MEMBERS} members", field="members")
        await self._members(principal, program_id, members)
        everyone = list(dict.fromkeys([principal.user_id, *members]))

        def open_room(c: Conversation) -> None:
            c.open(
                tenant_id=principal.tenant_id,
                program_id=program_id,
                kind="room",
                title=title,
                members=everyone,
                opened_by=principal.user_id,
            )

        return view(await self.changes.change(f"r-{uuid.uuid4().hex}", open_room))

    async def _room(self, principal: Principal, conversation_id: str) -> Conversation:
        room = await self.conversations.load(conversation_id)
        if not room.exists or room.tenant_id != principal.tenant_id or room.kind != "room":
            raise NotFound("no such room")
        await self._admin(principal, room.program_id)
        return room

    async def add(self, principal: Principal, conversation_id: str, user_id: str) -> dict[str, Any]:
        room = await self._room(principal, conversation_id)
        await self._members(principal, room.program_id, [user_id])
        changed = await self.changes.change(
            conversation_id, lambda c: c.join(user_id, by=principal.user_id)
        )
        return view(changed)

    async def remove(
        self, principal: Principal, conversation_id: str, user_id: str
    ) -> dict[str, Any]:
        await self._room(principal, conversation_id)
        changed = await self.changes.change(
            conversation_id, lambda c: c.remove_member(user_id, by=principal.user_id)
        )
        return view(changed)
