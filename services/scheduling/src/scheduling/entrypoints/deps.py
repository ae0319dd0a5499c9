"""What the scheduling routes share: the service, bounded ids, the idempotent create."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from chassis.http import CreateOnce, create_once, from_app_state
from scheduling.application.service import SchedulingService

IdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]
Service = Annotated[SchedulingService, Depends(from_app_state("scheduling"))]
Creates = Annotated[
    CreateOnce, create_once(lambda request: from_app_state("scheduling")(request).idempotency)
]
ViewerZone = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Show local times in this IANA zone (default: the meeting's or your own).",
    ),
]
