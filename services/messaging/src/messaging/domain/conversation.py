"""A conversation: who may read and write it, and whether it is still open.

Pair and group conversations are opened by matches (one per match, one per group: each
mentee joining the group joins it); direct conversations by members where the program
allows them; rooms by program admins, who manage their members. Membership is by user
id (the token's subject), so every check is one set lookup.
"""

from __future__ import annotations

from typing import Literal

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, Forbidden, InvalidInput

Kind = Literal["pair", "group", "direct", "room"]
MAX_MEMBERS = 500
MAX_TITLE = 200


class ConversationOpened(DomainEvent):
    TYPE = "ConversationOpened"
    tenant_id: str
    program_id: str
    kind: Kind
    title: str = ""
    members: list[str]
    match_id: str | None = None
    group_id: str | None = None
    opened_by: str | None = None


class MemberJoined(DomainEvent):
    TYPE = "MemberJoined"
    user_id: str
    match_id: str | None = None
    added_by: str | None = None


class MemberLeft(DomainEvent):
    TYPE = "MemberLeft"
    user_id: str
    reason: str  # mentorship_ended, removed, erased
    by: str | None = None


class ConversationArchived(DomainEvent):
    TYPE = "ConversationArchived"
    reason: str


class SharingConsentChanged(DomainEvent):
    TYPE = "SharingConsentChanged"
    user_id: str
    consented: bool


class Conversation(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.program_id = ""
        self.kind: str = "pair"
        self.title = ""
        self.members: list[str] = []
        self.former: list[str] = []
        self.matches: dict[str, list[str]] = {}
        self.group_id: str | None = None
        self.archived = False
        self.consents: list[str] = []

    @property
    def exists(self) -> bool:
        return self.version > 0

    def is_member(self, user_id: str) -> bool:
        return user_id in self.members

    @property
    def knowledge_sharing(self) -> bool:
        """True only when every current member consented (the default is no)."""
        return bool(self.members) and set(self.members) <= set(self.consents)

    # --- commands -------------------------------------------------------------------

    def open(
        self,
        *,
        tenant_id: str,
        program_id: str,
        kind: Kind,
        members: list[str],
        title: str = "",
        match_id: str | None = None,
        group_id: str | None = None,
        opened_by: str | None = None,
    ) -> None:
        if self.exists:
            raise Conflict("this conversation exists already")
        unique = list(dict.fromkeys(members))
        if len(unique) > MAX_MEMBERS:
            raise InvalidInput(f"a conversation has at most {MAX_MEMBERS} members", field="members")
        if len(title) > MAX_TITLE:
            raise InvalidInput(f"a title has at most {MAX_TITLE} characters", field="title")
        self.record(
            ConversationOpened(
                tenant_id=tenant_id,
                program_id=program_id,
                kind=kind,
                title=title,
                members=unique,
                match_id=match_id,
                group_id=group_id,
                opened_by=opened_by,
            )
        )

    def join(self, user_id: str, *, match_id: str | None = None, by: str | None = None) -> None:
        """Idempotent: a member joining again (a redelivered match) changes nothing,
        except that the match is remembered for when it ends."""
        if self.archived:
            raise Conflict("this conversation is archived")
        if user_id in self.members and (match_id is None or match_id in self.matches):
            return
        if user_id not in self.members and len(self.members) >= MAX_MEMBERS:
            raise Conflict(f"a conversation has at most {MAX_MEMBERS} members")
        self.record(MemberJoined(user_id=user_id, match_id=match_id, added_by=by))

    def leave(self, user_id: str, reason: str, *, by: str | None = None) -> None:
        if user_id not in self.members:
            return
        self.record(MemberLeft(user_id=user_id, reason=reason, by=by))

    def remove_member(self, user_id: str, *, by: str) -> None:
        if self.kind != "room":
            raise Forbidden("members are removed from rooms only; a match decides the others")
        if user_id not in self.members:
            raise InvalidInput(f"{user_id} is not a member of this room", field="user_id")
        self.leave(user_id, "removed", by=by)

    def end_match(self, match_id: str, reason: str) -> None:
        """A mentorship ended: a pair's conversation is archived (its members still read
        it); in a group's, the mentee of that match leaves."""
        if self.archived or match_id not in self.matches:
            return
        if self.kind == "group":
            for user in self.matches[match_id]:
                if user in self.members and not self._still_matched(user, match_id):
                    self.record(MemberLeft(user_id=user, reason="mentorship_ended"))
            return
        self.record(ConversationArchived(reason=reason))

    def _still_matched(self, user: str, ended: str) -> bool:
        return any(user in users for m, users in self.matches.items() if m != ended)

    def consent(self, user_id: str, consented: bool) -> None:
        if (user_id in self.consents) == consented:
            return
        self.record(SharingConsentChanged(user_id=user_id, consented=consented))

    def check_writable(self) -> None:
        if self.archived:
            raise Conflict("this conversation is archived: it is read-only")

    # --- state ----------------------------------------------------------------------

    @applies(ConversationOpened)
    def _opened(self, e: ConversationOpened) -> None:
        self.tenant_id, self.program_id, self.kind = e.tenant_id, e.program_id, e.kind
        self.title, self.members, self.group_id = e.title, list(e.members), e.group_id
        if e.match_id:
            self.matches[e.match_id] = list(e.members)

    @applies(MemberJoined)
    def _joined(self, e: MemberJoined) -> None:
        if e.user_id not in self.members:
            self.members.append(e.user_id)
        if e.user_id in self.former:
            self.former.remove(e.user_id)
        if e.match_id:
            users = self.matches.setdefault(e.match_id, [])
            if e.user_id not in users:
                users.append(e.user_id)

    @applies(MemberLeft)
    def _left(self, e: MemberLeft) -> None:
        self.members.remove(e.user_id)
        self.former.append(e.user_id)
        if e.user_id in self.consents:
            self.consents.remove(e.user_id)

    @applies(ConversationArchived)
    def _archived(self, e: ConversationArchived) -> None:
        self.archived = True

    @applies(SharingConsentChanged)
    def _consent(self, e: SharingConsentChanged) -> None:
        if e.consented:
            self.consents.append(e.user_id)
        else:
            self.consents.remove(e.user_id)
