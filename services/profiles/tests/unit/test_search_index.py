"""The tantivy read model: ranking, stemming, typos, filters, scoping, pagination."""

from __future__ import annotations

from typing import Any

import pytest

from chassis.errors import InvalidInput
from profiles.adapters.search_index import IndexedMember, ProfileIndex, SearchFilters


def add(
    index: ProfileIndex,
    member_id: str,
    *,
    roles: tuple[str, ...] = ("mentor",),
    approved: bool = True,
    tenant: str = "t",
    program: str = "p",
    version: int = 1,
    **snapshot: Any,
) -> None:
    index.upsert(
        IndexedMember(
            member_id,
            tenant,
            program,
            roles,
            approved,
            {"display_name": member_id, **snapshot},
            version,
        )
    )


@pytest.fixture
def index() -> ProfileIndex:
    ix = ProfileIndex()
    add(
        ix,
        "kube",
        headline="Kubernetes architect",
        skills=["Kubernetes", "Go"],
        timezone="Europe/Paris",
        languages=["fr-CA", "en"],
        years_experience=15,
        industry="Software",
        custom_fields={"track": "Backend", "level": 3.0},
    )
    add(
        ix,
        "cloud",
        bio="I like cloud architectures and some kubernetes",
        timezone="America/New_York",
        languages=["en"],
        years_experience=4,
        industry="Finance",
    )
    add(
        ix,
        "brand",
        headline="Brand marketing",
        skills=["Marketing"],
        roles=("mentee",),
        timezone="Asia/Tokyo",
    )
    add(ix, "pending", headline="Kubernetes newbie", approved=False)
    add(ix, "other-tenant", headline="Kubernetes", tenant="t2")
    ix.refresh()
    return ix


def ids(index: ProfileIndex, text: str | None = None, **filters: Any) -> list[str]:
    page = index.search("t", "p", text, SearchFilters(**filters), limit=50)
    return [member_id for member_id, _ in page.hits]


def test_relevance_prefers_headline_and_skills_over_bio(index: ProfileIndex) -> None:
    assert ids(index, "kubernetes") == ["kube", "cloud"]


def test_stemming_and_typos(index: ProfileIndex) -> None:
    # "architectures" shares the stem (a known word: no fuzzy expansion)
    assert ids(index, "architecture") == ["cloud"]
    assert ids(index, "kubernetis")[:1] == ["kube"]  # unknown word: typo-tolerant match
    assert ids(index, "kubernets")[:1] == ["kube"]  # one letter missing
    assert ids(index, "marketting") == ["brand"]


def test_filters(index: ProfileIndex) -> None:
    assert ids(index, languages=["fr"]) == ["kube"]
    assert sorted(ids(index, languages=["en"])) == ["cloud", "kube"]
    assert ids(index, tz_min_minutes=-6 * 60, tz_max_minutes=-3 * 60) == ["cloud"]
    assert ids(index, min_years=10) == ["kube"]
    assert ids(index, industries=["software"]) == ["kube"]
    assert ids(index, skills=["go", "kubernetes"]) == ["kube"]
    assert ids(index, custom=[("track", "backend")]) == ["kube"]
    assert ids(index, custom=[("level", "3")]) == ["kube"]
    assert ids(index, role="mentee") == ["brand"]


def test_unapproved_mentors_are_hidden_except_from_admins(index: ProfileIndex) -> None:
    assert "pending" not in ids(index, "newbie kubernetes")
    assert "pending" in ids(index, "newbie", admin_view=True)
    assert ids(index, approved=False, admin_view=True) == ["pending"]
    with pytest.raises(InvalidInput, match="only program admins"):
        ids(index, approved=False)


def test_upserts_replace_and_older_versions_are_ignored(index: ProfileIndex) -> None:
    add(index, "kube", version=2, headline="Gardening")
    add(index, "kube", version=1, headline="Kubernetes again")
    index.remove("cloud", 2)
    index.refresh()
    assert ids(index, "kubernetes") == []
    assert ids(index, "gardening") == ["kube"]


def test_cursor_pagination_covers_every_hit_once(index: ProfileIndex) -> None:
    seen, cursor = [], None
    while True:
        page = index.search("t", "p", None, SearchFilters(admin_view=True), limit=2, cursor=cursor)
        seen += [h for h, _ in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == ["brand", "cloud", "kube", "pending"]
    with pytest.raises(InvalidInput, match="cursor"):
        index.search("t", "p", None, SearchFilters(), cursor="bogus!")


def test_index_on_disk_uses_its_own_folder(tmp_path: Any) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("not ours")
    ix = ProfileIndex(str(tmp_path))
    add(ix, "disk", headline="Stored on disk")
    ix.refresh()
    assert ids(ix, "disk") == ["disk"]
    assert keep.exists() and (tmp_path / "profiles-search-index").is_dir()
