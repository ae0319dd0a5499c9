"""Matching quality on the labelled set of bench/quality: the full score beats the keyword
and embedding criteria alone and reaches NDCG@5 0.90, overall and in each language."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest


def _repo_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "workspace" in tomllib.loads(pyproject.read_text()).get(
            "tool", {}
        ).get("uv", {}):
            return folder
    raise AssertionError("no pyproject.toml with [tool.uv.workspace] above this test")


def _evaluation() -> ModuleType:
    path = _repo_root() / "bench" / "quality" / "evaluate.py"
    spec = importlib.util.spec_from_file_location("quality_evaluate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while executing it
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, float]]:
    return _evaluation().run()  # the real MiniLM runtime, offline from the model package


@pytest.mark.parametrize("part", ["overall", "en", "fr"])
def test_full_score_reaches_ndcg_0_90(results: dict[str, dict[str, float]], part: str) -> None:
    assert results["full"][part] >= 0.90, results


@pytest.mark.parametrize("part", ["overall", "en", "fr"])
def test_full_score_beats_each_baseline(results: dict[str, dict[str, float]], part: str) -> None:
    full = results["full"][part]
    assert full > results["keyword-only"][part], results
    assert full > results["embedding-only"][part], results


def test_ndcg_of_a_perfect_and_an_empty_ranking() -> None:
    evaluate = _evaluation()
    relevance = {"a": 2, "b": 1}
    assert evaluate.ndcg_at(["a", "b", "x"], relevance) == pytest.approx(1.0)
    assert evaluate.ndcg_at(["x", "y"], relevance) == 0.0
    assert 0 < evaluate.ndcg_at(["b", "a"], relevance) < 1
