"""What a route is handed: its use case, and the kit's store of idempotent replies.

:mod:`profiles.bootstrap` builds every use case once and puts it on ``app.state`` under
:func:`state_key` of its class (``CreateProgram`` -> ``app.state.create_program``); the
aliases below read it back with the kit's :func:`chassis.http.from_app_state`, so a route
declares the one use case it calls (``create: CreateProgramCase``) and nothing else.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends

from chassis.http import CreateOnce, create_once, from_app_state
from profiles.application.applications import (
    ApplyAsMentor,
    DecideApplication,
    ListMyApplications,
    ReadApplication,
)
from profiles.application.importing import ImportMembers
from profiles.application.joining import InviteMember, JoinProgram
from profiles.application.members import (
    ChangeRoles,
    EditProfile,
    ListMembers,
    ListMyMemberships,
    ViewMember,
    ViewMyProfile,
)
from profiles.application.privacy import EraseEverything, EraseMembership, ExportMyData
from profiles.application.programs import ChangeProgram, CreateProgram, ListPrograms, ViewProgram
from profiles.application.search import SearchMembers

#: where bootstrap puts the idempotency store the creating routes share
IDEMPOTENCY = "idempotency"


def state_key(kind: type) -> str:
    """``app.state`` attribute of a use case: its class name in snake case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


def _use_case(kind: type) -> Any:
    return Depends(from_app_state(state_key(kind)))


CreateProgramCase = Annotated[CreateProgram, _use_case(CreateProgram)]
ViewProgramCase = Annotated[ViewProgram, _use_case(ViewProgram)]
ChangeProgramCase = Annotated[ChangeProgram, _use_case(ChangeProgram)]
ListProgramsCase = Annotated[ListPrograms, _use_case(ListPrograms)]
JoinProgramCase = Annotated[JoinProgram, _use_case(JoinProgram)]
InviteMemberCase = Annotated[InviteMember, _use_case(InviteMember)]
ImportMembersCase = Annotated[ImportMembers, _use_case(ImportMembers)]
ListMembersCase = Annotated[ListMembers, _use_case(ListMembers)]
ViewMyProfileCase = Annotated[ViewMyProfile, _use_case(ViewMyProfile)]
EditProfileCase = Annotated[EditProfile, _use_case(EditProfile)]
ViewMemberCase = Annotated[ViewMember, _use_case(ViewMember)]
ChangeRolesCase = Annotated[ChangeRoles, _use_case(ChangeRoles)]
ListMyMembershipsCase = Annotated[ListMyMemberships, _use_case(ListMyMemberships)]
ApplyAsMentorCase = Annotated[ApplyAsMentor, _use_case(ApplyAsMentor)]
ListMyApplicationsCase = Annotated[ListMyApplications, _use_case(ListMyApplications)]
ReadApplicationCase = Annotated[ReadApplication, _use_case(ReadApplication)]
DecideApplicationCase = Annotated[DecideApplication, _use_case(DecideApplication)]
SearchMembersCase = Annotated[SearchMembers, _use_case(SearchMembers)]
ExportMyDataCase = Annotated[ExportMyData, _use_case(ExportMyData)]
EraseMembershipCase = Annotated[EraseMembership, _use_case(EraseMembership)]
EraseEverythingCase = Annotated[EraseEverything, _use_case(EraseEverything)]
Creates = Annotated[CreateOnce, create_once(from_app_state(IDEMPOTENCY))]
