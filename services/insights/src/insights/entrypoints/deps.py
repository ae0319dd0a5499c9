"""What the insights routes share: the service container and bounded path parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query

from chassis.http import CreateOnce, create_once, from_app_state
from insights.application.service import InsightsService
from insights.entrypoints.rendering import Rendered

IdPath = Annotated[str, Path(min_length=1, max_length=128)]
RoundPath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
Service = Annotated[InsightsService, Depends(from_app_state("insights"))]
RenderedAnswers = Annotated[Rendered, Depends(from_app_state("rendered"))]
AsOf = Annotated[
    datetime | None,
    Query(
        description="Judge time-relative rules at this moment (default: now); with a "
        "timezone, e.g. 2026-06-01T00:00:00Z."
    ),
]
Format = Annotated[str, Query(pattern="^(json|csv)$", description="json (default) or csv.")]
#: A creating POST's Idempotency-Key: a retry with the same key gets the first answer.
Creates = Annotated[
    CreateOnce, create_once(lambda request: from_app_state("insights")(request).idempotency)
]
