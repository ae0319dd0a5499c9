"""What the knowledge routes share: the use cases (built once in bootstrap) and bounded ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path

from chassis.http import from_app_state
from knowledge.application.coverage import Coverage
from knowledge.application.library import Library
from knowledge.application.review import ApproveDraft, EditDraft
from knowledge.application.withdrawal import Withdrawals

IdPath = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]


@dataclass(frozen=True)
class UseCases:
    library: Library
    edit: EditDraft
    approve: ApproveDraft
    withdrawals: Withdrawals
    coverage: Coverage


Service = Annotated[UseCases, Depends(from_app_state("knowledge"))]
