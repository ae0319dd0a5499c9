"""Exchanges for the program's library (nominate, consent, withdraw) and suggestions.

Conversation members only: anyone else gets 404 for the conversation and all of this.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path
from fastapi.responses import JSONResponse
from fastapi.routing import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chassis.auth import CurrentPrincipal
from chassis.http import Created, from_app_state, problems
from messaging.application.conversations import SetSharingConsent
from messaging.application.exchanges import ExchangeUseCases
from messaging.application.suggestions import Suggestions
from messaging.domain.exchange import MAX_MESSAGES
from messaging.entrypoints.deps import ConversationId, Creates, Service

router = APIRouter(prefix="/v1", tags=["knowledge exchanges"])
Exchanges = Annotated[ExchangeUseCases, Depends(from_app_state("exchanges"))]
Suggest = Annotated[Suggestions, Depends(from_app_state("suggestions"))]
ExchangeId = Annotated[str, Path(min_length=1, max_length=128)]
MessageRef = Annotated[str, StringConstraints(min_length=1, max_length=220)]
Refs = Annotated[list[MessageRef], Field(min_length=1, max_length=MAX_MESSAGES)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NominateIn(Body):
    question_message_ids: Refs
    answer_message_ids: Refs


class ConsentIn(Body):
    credit: bool = Field(default=False, description="Name me as an author of the entry.")


class OptInIn(Body):
    opted_in: bool


class QuotedOut(BaseModel):
    message_id: str
    author_user_id: str
    part: str


class AuthorOut(BaseModel):
    user_id: str
    consented: bool
    credit: bool | None = None


class ExchangeOut(BaseModel):
    exchange_id: str
    conversation_id: str
    program_id: str
    status: str = Field(description="awaiting_consent, consented, cancelled or withdrawn")
    nominated_by: str
    nominated_at: str
    messages: list[QuotedOut]
    authors: list[AuthorOut]
    consented_at: str | None = None
    ended: dict[str, Any] | None = Field(default=None, description="by, reason, at")


class SuggestionOut(BaseModel):
    question_message_ids: list[str]
    answer_message_ids: list[str]
    reason: str = Field(description="thanked or reacted")


class OptInOut(BaseModel):
    opted_in: bool
    knowledge_sharing: bool = Field(description="Every member opted in: suggestions are shown.")


def _out(found: dict[str, Any]) -> ExchangeOut:
    return ExchangeOut.model_validate(found)


BASE = "/conversations/{conversation_id}"


@router.post(
    f"{BASE}/exchanges",
    status_code=201,
    response_model=ExchangeOut,
    summary="Nominate a question and its answer(s) for the program's library",
    responses=problems(404, 422),
)
async def nominate(
    conversation_id: ConversationId,
    body: NominateIn,
    principal: CurrentPrincipal,
    exchanges: Exchanges,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        found = await exchanges.nominate(
            principal, conversation_id, body.question_message_ids, body.answer_message_ids
        )
        return Created(
            _out(found),
            location=f"/v1/conversations/{conversation_id}/exchanges/{found['exchange_id']}",
        )

    return await once(body, create)


@router.get(
    f"{BASE}/exchanges",
    response_model=list[ExchangeOut],
    summary="This conversation's exchanges, newest first, with each author's consent",
    responses=problems(404),
)
async def list_exchanges(
    conversation_id: ConversationId, principal: CurrentPrincipal, exchanges: Exchanges
) -> list[ExchangeOut]:
    return [_out(x) for x in await exchanges.list(principal, conversation_id)]


@router.get(
    f"{BASE}/exchanges/{{exchange_id}}",
    response_model=ExchangeOut,
    summary="One exchange",
    responses=problems(404),
)
async def get_exchange(
    conversation_id: ConversationId,
    exchange_id: ExchangeId,
    principal: CurrentPrincipal,
    exchanges: Exchanges,
) -> ExchangeOut:
    return _out(await exchanges.get(principal, conversation_id, exchange_id))


@router.put(
    f"{BASE}/exchanges/{{exchange_id}}/consents/me",
    response_model=ExchangeOut,
    summary="I consent to this exchange leaving the conversation (authors only)",
    responses=problems(404, 409),
)
async def consent(
    conversation_id: ConversationId,
    exchange_id: ExchangeId,
    body: ConsentIn,
    principal: CurrentPrincipal,
    exchanges: Exchanges,
) -> ExchangeOut:
    return _out(await exchanges.consent(principal, conversation_id, exchange_id, body.credit))


@router.delete(
    f"{BASE}/exchanges/{{exchange_id}}/consents/me",
    response_model=ExchangeOut,
    summary="I withdraw: before every consent it is cancelled; after, it leaves the library",
    responses=problems(404),
)
async def withdraw(
    conversation_id: ConversationId,
    exchange_id: ExchangeId,
    principal: CurrentPrincipal,
    exchanges: Exchanges,
) -> ExchangeOut:
    return _out(await exchanges.withdraw(principal, conversation_id, exchange_id))


@router.put(
    f"{BASE}/knowledge-suggestions/me",
    response_model=OptInOut,
    summary="Opt in (or out) of exchange suggestions from this conversation",
    responses=problems(404),
)
async def opt_in(
    conversation_id: ConversationId, body: OptInIn, principal: CurrentPrincipal, service: Service
) -> OptInOut:
    consent: SetSharingConsent = service.consent
    found = await consent(principal, conversation_id, body.opted_in)
    return OptInOut(
        opted_in=principal.user_id in found["consented"],
        knowledge_sharing=found["knowledge_sharing"],
    )


@router.get(
    f"{BASE}/exchange-suggestions",
    response_model=list[SuggestionOut],
    summary="Candidate exchanges (only when every member opted in; computed, never stored)",
    responses=problems(404),
)
async def suggestions(
    conversation_id: ConversationId, principal: CurrentPrincipal, suggest: Suggest
) -> list[SuggestionOut]:
    return [SuggestionOut.model_validate(s) for s in await suggest(principal, conversation_id)]
