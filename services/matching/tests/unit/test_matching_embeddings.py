"""The numpy MiniLM runtime reproduces sentence-transformers' vectors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from matching.adapters.minilm import EMBEDDING_DIM, SentenceEncoder


def _repo_root() -> Path:
    """The workspace root: the folder whose pyproject.toml declares the uv workspace."""
    for folder in Path(__file__).resolve().parents:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            config = tomllib.loads(pyproject.read_text())
            if "workspace" in config.get("tool", {}).get("uv", {}):
                return folder
    raise AssertionError("no pyproject.toml with [tool.uv.workspace] above this test")


REFERENCE_FILE = _repo_root().parent / "shared" / "embedding-reference.json"


@pytest.fixture(scope="module")
def reference() -> dict:
    # Fail, never skip: without the reference the runtime is unverified.
    assert REFERENCE_FILE.is_file(), f"embedding reference missing: {REFERENCE_FILE}"
    return json.loads(REFERENCE_FILE.read_text())


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_reproduces_every_reference_vector(reference: dict, encoder: SentenceEncoder) -> None:
    sentences = reference["sentences"]
    expected = np.asarray(reference["embeddings"], dtype=np.float64)
    assert len(sentences) == len(expected) > 0

    actual = encoder.encode(sentences).astype(np.float64)

    assert actual.shape == expected.shape == (len(sentences), EMBEDDING_DIM)
    for index, sentence in enumerate(sentences):
        cosine = float(
            actual[index]
            @ expected[index]
            / (np.linalg.norm(actual[index]) * np.linalg.norm(expected[index]))
        )
        max_abs_diff = float(np.abs(actual[index] - expected[index]).max())
        assert cosine >= 0.9999, (sentence[:60], cosine)
        assert max_abs_diff <= 1e-4, (sentence[:60], max_abs_diff)


def test_batching_and_order_do_not_change_vectors(
    reference: dict, encoder: SentenceEncoder
) -> None:
    sentences = reference["sentences"]
    batched = encoder.encode(sentences, batch_size=4)
    one_by_one = np.vstack([encoder.encode([s], batch_size=1) for s in sentences])
    reversed_order = encoder.encode(sentences[::-1])[::-1]
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    np.testing.assert_allclose(batched, reversed_order, atol=1e-5)


def test_vectors_are_unit_float32(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["Kubernetes operations", "mentoring new managers"])
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_and_long_text(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, EMBEDDING_DIM)
    long_text = "supplier audits and composite materials " * 200  # far above 256 tokens
    assert encoder.encode([long_text]).shape == (1, EMBEDDING_DIM)


def test_related_texts_are_closer_than_unrelated(encoder: SentenceEncoder) -> None:
    k8s, kubernetes, tax = encoder.encode(
        [
            "k8s cluster administration",
            "Kubernetes platform operations",
            "tax law for small businesses",
        ]
    )
    assert float(k8s @ kubernetes) > float(k8s @ tax) + 0.2


def test_rejects_a_batch_size_below_one(encoder: SentenceEncoder) -> None:
    with pytest.raises(ValueError):
        encoder.encode(["x"], batch_size=0)
