"""Profiles and matching as real processes: a profile edit made through the profiles API
changes matching's recommendations (no call between the services, only events), and a
match made in matching shows up as the mentor's load in profiles."""

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
    for name in ("profiles", "matching"):
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_e2e_live_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.live{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
        }
    envs["profiles"]["PROFILES_PROJECTOR_POLL_SECONDS"] = "0.5"
    with run_services(envs, tmp_path_factory.mktemp("live-logs")) as running:
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


def test_a_profile_edit_changes_recommendations(services: dict[str, ServiceProcess]) -> None:
    profiles, matching = services["profiles"].url, services["matching"].url
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"

    def auth(user: str, *roles: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {mint_token(user, tenant, roles=list(roles) or ['member'])}"
        }

    with httpx.Client(timeout=30) as http:
        program = http.post(
            f"{profiles}/v1/programs",
            json={
                "name": "Cloud mentoring",
                "requires_mentor_approval": False,
                "default_capacity": 2,
            },
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

        ada = join(
            "ada",
            ["mentor"],
            skills=["Python", "Kubernetes"],
            expertise=["cloud architecture"],
            industry="Fintech",
            bio="I build cloud platforms.",
            accepting_mentees=True,
        )
        grace = join(
            "grace",
            ["mentor"],
            skills=["user research", "UX"],
            expertise=["design systems"],
            industry="Retail",
            bio="I lead design teams.",
            accepting_mentees=True,
        )
        join("sam", ["mentee"], goals=["Kubernetes", "Python"], industry="Fintech")

        def ranking() -> list[str] | None:
            r = http.get(f"{matching}/v1/programs/{pid}/recommendations", headers=auth("sam"))
            if r.status_code != 200:
                return None
            return [i["mentor_id"] for i in r.json()["items"]]

        first = _wait(
            lambda: (ranking() or [""])[:2] == [ada["member_id"], grace["member_id"]],
            what="both mentors recommended",
        )
        assert first

        # sam changes direction through the profiles API
        me = http.get(f"{profiles}/v1/programs/{pid}/members/me", headers=auth("sam"))
        edited = http.patch(
            f"{profiles}/v1/programs/{pid}/members/me",
            json={"goals": ["user research", "UX"], "industry": "Retail"},
            headers={**auth("sam"), "If-Match": me.headers["ETag"]},
        )
        assert edited.status_code == 200, edited.text
        _wait(lambda: (ranking() or [""])[:1] == [grace["member_id"]], what="re-ranked")

        recs = http.get(f"{matching}/v1/programs/{pid}/recommendations", headers=auth("sam"))
        top = recs.json()["items"][0]
        assert "shares:" in top["explanation"]["summary"]

        # a match made in matching reaches profiles as the mentor's load
        asked = http.post(
            f"{matching}/v1/programs/{pid}/requests",
            json={"mentor_id": grace["member_id"], "message": "Teach me research?"},
            headers=auth("sam"),
        )
        assert asked.status_code == 201, asked.text
        accepted = http.post(
            f"{matching}/v1/requests/{asked.json()['request_id']}/accept",
            headers=auth("grace"),
        )
        assert accepted.status_code == 200, accepted.text

        def load() -> bool:
            r = http.get(f"{profiles}/v1/programs/{pid}/members/me", headers=auth("grace"))
            return r.status_code == 200 and r.json().get("current_load") == 1

        _wait(load, what="profiles saw the match")
