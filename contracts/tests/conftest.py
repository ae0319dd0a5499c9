from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mentorship_contracts import MatchMadeV1, Participant, ProfileChangedV1, ProfileSnapshot


@pytest.fixture
def match_made() -> MatchMadeV1:
    return MatchMadeV1(
        tenant_id="acme",
        match_id="match-1",
        program_id="prog-1",
        mode="group",
        mentor=Participant(member_id="mem-mentor", user_id="auth0|mentor"),
        mentees=[
            Participant(member_id="mem-a", user_id="auth0|a"),
            Participant(member_id="mem-b", user_id="auth0|b"),
        ],
        group_id="group-1",
        score=0.8125,
        origin="bulk_round",
        round_id="round-7",
    )


@pytest.fixture
def profile_changed() -> ProfileChangedV1:
    return ProfileChangedV1(
        tenant_id="acme",
        program_id="prog-1",
        member_id="mem-1",
        user_id="auth0|1",
        organization_id="org-1",
        profile_version=3,
        roles=["mentor"],
        mentor_approved=True,
        changed_fields=["skills"],
        snapshot=ProfileSnapshot(
            display_name="Ada",
            timezone="Europe/Paris",
            languages=["fr", "en-GB"],
            skills=["cloud architecture", "Python"],
            years_experience=15,
            capacity=2,
            accepting_mentees=True,
            custom_fields={"department": "R&D", "level": 3.0, "tools": ["vim"]},
        ),
    )


@pytest.fixture
def event_time() -> datetime:
    return datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
