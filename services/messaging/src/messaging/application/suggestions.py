"""Suggested exchanges: found in a conversation's own messages, on request, only when every
member opted in. Never stored, never published: a suggestion becomes an exchange only
when a member nominates it.

A candidate is a question (a sentence of it ends with ``?``, or it starts with a question
word), the replies of other members that follow it, and the asker's thanks ("thanks",
"that worked", "merci", ...) within a day of the first reply, or the asker's reaction
(👍 ❤️ 🙏 🎉) to a reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chassis.auth import Principal
from messaging.application.access import member_conversation
from messaging.application.ports import MessageViews, Repository
from messaging.domain.conversation import Conversation
from messaging.domain.message import message_id

#: how far back suggestions look (the newest messages of the conversation)
WINDOW = 500
MAX_SUGGESTIONS = 20
#: replies considered after one question (before the asker's thanks)
MAX_ANSWERS = 5
THANKS_WITHIN = timedelta(days=1)

QUESTION_WORDS = {
    "how", "what", "why", "when", "where", "which", "who", "whom", "whose", "can", "could",
    "should", "would", "is", "are", "do", "does", "did", "any", "anyone",
    "comment", "pourquoi", "quand", "quel", "quelle", "est-ce",
}  # fmt: skip
#: a sentence that ends with a question mark, anywhere in the message
ASKS = re.compile(r"\?[)*_\"'\u201d\u2019]*(\s|$)")
THANKS = re.compile(
    r"\b(thanks?|thank you|thx|ty|that worked|it worked|works now|solved|fixed it|"
    r"perfect|great help|merci|danke|gracias)\b",
    re.IGNORECASE,
)
APPRECIATION = {"👍", "❤️", "❤", "🙏", "🎉", "+1", ":+1:", "thumbsup", "heart", "pray", "tada"}


def is_question(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if ASKS.search(stripped):
        return True
    first = re.split(r"[\s,:;!.]+", stripped.lower(), maxsplit=1)[0]
    return first in QUESTION_WORDS


def _at(view: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(view["sent_at"])


def _reacted(asker: str, answer: dict[str, Any]) -> bool:
    reactions: dict[str, list[str]] = answer.get("reactions") or {}
    return any(asker in users for emoji, users in reactions.items() if emoji in APPRECIATION)


def find_suggestions(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages``: message views oldest first. Pure, so it is tested without storage."""
    shown = [m for m in messages if m.get("state") == "visible" and m.get("body")]
    found: list[dict[str, Any]] = []
    used: set[str] = set()
    for i, question in enumerate(shown):
        if question["id"] in used or not is_question(question["body"]):
            continue
        asker = question["sender"]
        answers: list[dict[str, Any]] = []
        reason = None
        for later in shown[i + 1 :]:
            if later["sender"] == asker:
                if answers and THANKS.search(later["body"]):
                    if _at(later) - _at(answers[0]) <= THANKS_WITHIN:
                        reason = "thanked"
                    break
                if answers or is_question(later["body"]):
                    break  # the asker moved on (or asked something else)
                continue
            if len(answers) == MAX_ANSWERS:
                break
            answers.append(later)
            if _reacted(asker, later):
                reason = "reacted"
                break
        if reason is None:
            continue
        if reason == "reacted":
            answers = [a for a in answers if _reacted(asker, a)] or answers
        found.append(
            {
                "question_message_ids": [question["id"]],
                "answer_message_ids": [a["id"] for a in answers],
                "reason": reason,
            }
        )
        used.update([question["id"], *(a["id"] for a in answers)])
    return found[-MAX_SUGGESTIONS:]


class Suggestions:
    def __init__(self, conversations: Repository[Conversation], views: MessageViews) -> None:
        self.conversations, self.views = conversations, views

    async def __call__(self, principal: Principal, conversation_id: str) -> list[dict[str, Any]]:
        """Members only (404 otherwise); empty unless every member opted in."""
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        if not conversation.knowledge_sharing:
            return []
        head = await self.views.head(conversation.stream_id)
        numbers = range(max(1, head - WINDOW + 1), head + 1)
        docs = await self.views.many([message_id(conversation.stream_id, n) for n in numbers])
        return find_suggestions([d for d in docs if d is not None])
