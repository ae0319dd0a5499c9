"""The search index is a read model: a restart rebuilds it from the event store, and a
second replica picks up what the first one wrote."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_profiles_support import ProfilesClient

from profiles.bootstrap import create_app
from profiles.settings import ProfilesSettings
from testkit.apps import serve_in_process
from testkit.events import eventually

pytestmark = pytest.mark.infra


async def test_restart_rebuilds_and_replicas_converge(
    make_settings: Callable[..., ProfilesSettings], tenant: str
) -> None:
    settings = make_settings(ProfilesSettings, projector_poll_seconds=0.2)
    first_app = create_app(settings)
    async with serve_in_process(first_app) as http:
        first = ProfilesClient(http, first_app, tenant)
        pid = (await first.create_program())["program_id"]
        for i in range(5):
            await first.join(pid, f"u{i}", headline=f"Gardener number {i}", skills=["Permaculture"])
        second_app = create_app(settings.model_copy())
        async with serve_in_process(second_app) as http2:
            second = ProfilesClient(http2, second_app, tenant)
            found = await second.search(pid, "u0", q="permaculture")
            assert found["total"] == 5  # rebuilt at startup from the event store
            await first.edit(pid, "u1", headline="Beekeeper")

            async def second_sees_edit() -> bool:
                second.adapters.index.refresh()
                r = await http2.get(
                    f"/v1/programs/{pid}/search",
                    params={"q": "beekeeper"},
                    headers=second.auth("u0"),
                )
                return r.json()["total"] == 1

            await eventually(second_sees_edit, timeout=20)
            stats = await second.adapters.projector.rebuild()
            assert stats["members"] == 5 and stats["indexed"] == 5
