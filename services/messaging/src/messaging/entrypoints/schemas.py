"""Request and response bodies of the HTTP API (every string and list bounded)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from messaging.domain.markdown import MAX_BODY
from messaging.domain.message import MAX_ATTACHMENTS, MAX_EMOJI, MAX_MENTIONS, MAX_REASON

Ident = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageIn(Body):
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)] = Field(
        description="Markdown; HTML is refused."
    )
    thread_root: Ident | None = Field(default=None, description="Reply in this message's thread.")
    mentions: Annotated[list[Ident], Field(max_length=MAX_MENTIONS)] = []
    attachments: Annotated[list[Ident], Field(max_length=MAX_ATTACHMENTS)] = Field(
        default=[], description="Document ids (the sender must be allowed to share them)."
    )


class EditIn(Body):
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
    mentions: Annotated[list[Ident], Field(max_length=MAX_MENTIONS)] = []


class ReactionIn(Body):
    emoji: Annotated[str, Field(min_length=1, max_length=MAX_EMOJI)]


class ReasonIn(Body):
    reason: Annotated[str, Field(max_length=MAX_REASON)] = ""


class ReadIn(Body):
    up_to: Annotated[int, Field(ge=0, le=10**12)] = Field(
        description="The number of the last message read."
    )


class ConsentIn(Body):
    consented: bool


class DirectIn(Body):
    program_id: Ident
    user_id: Ident


class RoomIn(Body):
    program_id: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    members: Annotated[list[Ident], Field(max_length=500)] = []


class MemberIn(Body):
    user_id: Ident


class PolicyIn(Body):
    direct_conversations: bool


class DigestIn(Body):
    frequency: Literal["off", "hourly", "daily"]


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    number: int
    sender: str
    body: str | None
    html: str | None = Field(description="The body rendered to inert HTML (allow-listed).")
    thread_root: str | None
    mentions: list[str]
    attachments: list[str]
    reactions: dict[str, list[str]]
    sent_at: str
    edited_at: str | None
    state: Literal["visible", "deleted", "hidden", "erased"]


class ConversationOut(BaseModel):
    id: str
    program_id: str
    kind: str
    title: str
    members: list[str]
    archived: bool
    knowledge_sharing: bool = Field(
        description="Whether every member consented to sharing useful exchanges with the "
        "program (default: no)."
    )
    consented: list[str]
    unread: int | None = None


class ConversationRow(BaseModel):
    conversation_id: str
    program_id: str
    kind: str
    title: str
    archived: bool
    unread: int


class ThreadOut(BaseModel):
    root: MessageOut
    replies: list[MessageOut]


class ThreadRow(BaseModel):
    root: MessageOut
    reply_count: int
    last_reply_at: str


class ReadOut(BaseModel):
    up_to: int


class PolicyOut(BaseModel):
    program_id: str
    direct_conversations: bool


class DigestOut(BaseModel):
    frequency: str
    email: str | None


class ReportRow(BaseModel):
    message_id: str
    by: str
    reason: str
    at: str


def items(rows: list[dict[str, Any]], model: type[BaseModel]) -> list[Any]:
    return [model.model_validate(r) for r in rows]
