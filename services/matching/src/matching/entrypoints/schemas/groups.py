"""Mentoring groups: opening one, asking to join, and the view of a group."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from matching.entrypoints.schemas.base import Body, Message, Note, Out


class JoinGroup(Body):
    message: Message


class OpenGroup(Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    description: Note | None = None
    capacity: Annotated[int, Field(ge=1, le=500)]


class GroupOut(Out):
    group_id: str
    mentor_id: str
    title: str
    description: str | None = None
    capacity: int
    members: int
    status: str
    opened_at: str
