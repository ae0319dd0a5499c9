"""Profiles, matching and messaging as real processes: a match made through matching's
API opens the pair's conversation in messaging (no call between the services, only
events); the pair chats; the program's admin allows direct conversations, which a member
then opens with another member of the program (messaging knows who is in the program and
who administers it from profiles' events)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from chassis.devtokens import mint_token
from testkit.apps import ServiceProcess, run_services
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def services(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    envs = {}
    for name in ("profiles", "matching", "messaging"):
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_e2e_chat_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.chat{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
            f"{p}_RELAY_IDLE_POLL_SECONDS": "0.05",
        }
    envs["profiles"]["PROFILES_PROJECTOR_POLL_SECONDS"] = "0.5"
    with run_services(envs, tmp_path_factory.mktemp("chat-logs"), 300) as running:
        yield running


def _wait(check: Callable[[], Any], timeout: float = 90.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"{what}: not reached in {timeout}s (last: {last!r})")


def test_a_match_made_in_matching_opens_the_conversation(
    services: dict[str, ServiceProcess],
) -> None:
    profiles, matching = services["profiles"].url, services["matching"].url
    messaging = services["messaging"].url
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"

    def auth(user: str, *roles: str) -> dict[str, str]:
        token = mint_token(user, tenant, roles=list(roles) or ["member"])
        return {"Authorization": f"Bearer {token}"}

    with httpx.Client(timeout=30) as http:
        program = http.post(
            f"{profiles}/v1/programs",
            json={"name": "Chat mentoring", "requires_mentor_approval": False},
            headers=auth("admin", "org_admin"),
        )
        assert program.status_code == 201, program.text
        pid = program.json()["program_id"]

        def join(user: str, roles: list[str], **profile: Any) -> dict[str, Any]:
            r = http.post(
                f"{profiles}/v1/programs/{pid}/members",
                json={"roles": roles, "display_name": user.title(), "languages": ["en"], **profile},
                headers=auth(user),
            )
            assert r.status_code == 201, r.text
            return r.json()

        ada = join("ada", ["mentor"], skills=["Python"], accepting_mentees=True)
        join("sam", ["mentee"], goals=["Python"])
        join("kim", ["mentee"], goals=["Python"])
        _wait(
            lambda: (
                http.get(
                    f"{matching}/v1/programs/{pid}/recommendations", headers=auth("sam")
                ).status_code
                == 200
                and http.get(
                    f"{matching}/v1/programs/{pid}/recommendations", headers=auth("sam")
                ).json()["items"]
            ),
            what="the mentor is matchable",
        )
        asked = http.post(
            f"{matching}/v1/programs/{pid}/requests",
            json={"mentor_id": ada["member_id"], "message": "Teach me Python?"},
            headers=auth("sam"),
        )
        assert asked.status_code == 201, asked.text
        accepted = http.post(
            f"{matching}/v1/requests/{asked.json()['request_id']}/accept", headers=auth("ada")
        )
        assert accepted.status_code == 200, accepted.text

        def conversation() -> Any:
            r = http.get(f"{messaging}/v1/conversations", headers=auth("sam"))
            return r.status_code == 200 and [c for c in r.json() if c["kind"] == "pair"]

        rows = _wait(conversation, what="messaging opened the pair's conversation")
        cid = rows[0]["conversation_id"]
        assert rows[0]["program_id"] == pid
        sent = http.post(
            f"{messaging}/v1/conversations/{cid}/messages",
            json={"body": "Welcome, Sam! What would you like to build?"},
            headers=auth("ada"),
        )
        assert sent.status_code == 201, sent.text
        page = http.get(f"{messaging}/v1/conversations/{cid}/messages", headers=auth("sam"))
        assert [m["body"] for m in page.json()["items"]] == [
            "Welcome, Sam! What would you like to build?"
        ]
        assert (
            http.get(f"{messaging}/v1/conversations/{cid}", headers=auth("kim")).status_code == 404
        )

        # direct conversations: refused until the program's admin allows them
        direct = {"program_id": pid, "user_id": "kim"}

        def members_known() -> bool:
            r = http.post(f"{messaging}/v1/conversations/direct", json=direct, headers=auth("sam"))
            return r.status_code == 403

        _wait(members_known, what="messaging learned the program's members")
        allowed = http.put(
            f"{messaging}/v1/programs/{pid}/messaging-policy",
            json={"direct_conversations": True},
            headers=auth("admin", "org_admin"),
        )
        assert allowed.status_code == 200, allowed.text
        assert (
            http.put(
                f"{messaging}/v1/programs/{pid}/messaging-policy",
                json={"direct_conversations": False},
                headers=auth("sam"),
            ).status_code
            == 404
        )
        opened = http.post(f"{messaging}/v1/conversations/direct", json=direct, headers=auth("sam"))
        assert opened.status_code == 200, opened.text
        assert sorted(opened.json()["members"]) == ["kim", "sam"]
        again = http.post(
            f"{messaging}/v1/conversations/direct",
            json={"program_id": pid, "user_id": "sam"},
            headers=auth("kim"),
        )
        assert again.json()["id"] == opened.json()["id"]
        stranger = http.post(
            f"{messaging}/v1/conversations/direct",
            json={"program_id": pid, "user_id": "nobody"},
            headers=auth("sam"),
        )
        assert stranger.status_code == 404
