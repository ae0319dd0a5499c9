"""Every route's use case is on ``app.state`` where its dependency looks (no infrastructure:
building the app connects to nothing)."""

from __future__ import annotations

import typing

from profiles.bootstrap import create_app
from profiles.entrypoints import deps
from profiles.settings import ProfilesSettings


def test_every_use_case_alias_finds_its_use_case() -> None:
    app = create_app(ProfilesSettings())
    aliases = {
        name: typing.get_args(alias)[0]
        for name, alias in vars(deps).items()
        if name.endswith("Case") and typing.get_origin(alias) is typing.Annotated
    }
    assert len(aliases) >= 20
    for name, kind in aliases.items():
        found = getattr(app.state, deps.state_key(kind), None)
        assert isinstance(found, kind), name
    assert getattr(app.state, deps.IDEMPOTENCY) is app.state.profiles.idempotency


def test_state_keys_are_snake_case_class_names() -> None:
    assert deps.state_key(deps.CreateProgram) == "create_program"
    assert deps.state_key(deps.ListMyApplications) == "list_my_applications"
