"""The use cases under the names the HTTP routes call them by.

A plain container built by :mod:`profiles.bootstrap`: each entry is one use case (see the
modules of this package), plus the adapters the routes and operators' tools read
directly. It holds no logic of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chassis.auth import Principal
from chassis.eventstore import EventStore
from chassis.idempotency import IdempotencyStore
from profiles.application.applications import ApplyAsMentor, DecideApplication, ReadApplication
from profiles.application.importing import ImportMembers
from profiles.application.joining import InviteMember, JoinProgram
from profiles.application.members import ChangeRoles, EditProfile, ListMembers, ViewMember
from profiles.application.ports import MentorLoads, Projection, ReadModels, SearchIndex
from profiles.application.privacy import EraseEverything, EraseMembership, ExportMyData
from profiles.application.programs import ChangeProgram, CreateProgram, ListPrograms
from profiles.application.search import SearchMembers
from profiles.domain.member import Member
from profiles.domain.program import Program


@dataclass(frozen=True)
class ProfilesService:
    create_program: CreateProgram
    update_program: ChangeProgram
    list_programs: ListPrograms
    program_for: Callable[[Principal, str], Awaitable[Program]]
    join: JoinProgram
    invite: InviteMember
    import_members: ImportMembers
    my_membership: Callable[[Principal, str], Awaitable[tuple[Member, Program]]]
    edit_my_profile: EditProfile
    view_member: ViewMember
    change_roles: ChangeRoles
    list_members: ListMembers
    apply_to_mentor: ApplyAsMentor
    decide_application: DecideApplication
    application: ReadApplication
    search: SearchMembers
    export: ExportMyData
    erase_membership: EraseMembership
    erase_everything: EraseEverything
    # adapters read directly by the routes (loads, memberships, idempotent replies) and by
    # operators' tools and tests (the event store, the index, the projector)
    events: EventStore
    idempotency: IdempotencyStore
    loads: MentorLoads
    read_models: ReadModels
    index: SearchIndex
    projector: Projection
