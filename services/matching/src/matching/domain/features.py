"""One side of the score matrix as arrays, computed once per profile and reused.

A pool keeps its mentors' and mentees' features; re-scoring one changed profile is then a
product of one row against them, and :func:`replace_profile` swaps a row in place instead
of rebuilding a 10,000-row side. Term sets are sparse 0/1 matrices over each side's own
vocabulary, so a new term never invalidates the other side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from scipy import sparse

from matching.domain.matchable import (
    MENTEE_ROLE,
    MENTOR_ROLE,
    MatchableProfile,
    PreparedProfile,
    prepare_profile,
)

Side = Literal["mentor", "mentee"]

# Re-scoring one profile against a pool: sparse x small dense is a cheap mat-vec; a sparse x
# sparse product would build (and then densify) a sparse result.
_SMALL_SIDE_ROWS = 64


@dataclass(frozen=True)
class Bag:
    """Sets of terms per profile, as a sparse 0/1 matrix over this side's own vocabulary."""

    sets: tuple[frozenset[str], ...]
    vocabulary: Mapping[str, int]
    matrix: sparse.csr_matrix
    sizes: np.ndarray

    @classmethod
    def of(cls, sets: Iterable[Iterable[str]]) -> Bag:
        frozen = tuple(frozenset(s) for s in sets)
        vocabulary: dict[str, int] = {}
        for terms in frozen:
            for term in sorted(terms):
                vocabulary.setdefault(term, len(vocabulary))
        return cls(
            sets=frozen,
            vocabulary=vocabulary,
            matrix=_incidence(frozen, vocabulary),
            sizes=np.array([len(s) for s in frozen], dtype=np.float64),
        )

    @property
    def entries(self) -> int:
        return int(self.matrix.nnz)

    def with_row(self, index: int, terms: Iterable[str]) -> Bag:
        """This bag with row ``index`` holding ``terms``: the vocabulary grows by the new
        terms, the sparse matrix is spliced (no re-tokenising of other rows)."""
        row_set = frozenset(terms)
        if row_set == self.sets[index]:
            return self
        vocabulary = self.vocabulary
        new_terms = sorted(t for t in row_set if t not in vocabulary)
        if new_terms:
            vocabulary = dict(vocabulary)
            for term in new_terms:
                vocabulary[term] = len(vocabulary)
        row = np.array(sorted(vocabulary[t] for t in row_set), dtype=np.int64)
        matrix = self.matrix
        start, end = int(matrix.indptr[index]), int(matrix.indptr[index + 1])
        indices = np.concatenate(
            [matrix.indices[:start].astype(np.int64), row, matrix.indices[end:]]
        )
        indptr = matrix.indptr.astype(np.int64)  # a copy
        indptr[index + 1 :] += len(row) - (end - start)
        sets = (*self.sets[:index], row_set, *self.sets[index + 1 :])
        sizes = self.sizes.copy()
        sizes[index] = len(row_set)
        return Bag(
            sets=sets,
            vocabulary=vocabulary,
            matrix=sparse.csr_matrix(
                (np.ones(len(indices), dtype=np.float64), indices, indptr),
                shape=(len(sets), len(vocabulary)),
            ),
            sizes=sizes,
        )


def _incidence(sets: Sequence[frozenset[str]], vocabulary: Mapping[str, int]) -> sparse.csr_matrix:
    """0/1 matrix of ``sets`` over ``vocabulary``; terms outside it are dropped (they can't
    be shared with the side that owns the vocabulary)."""
    indptr = [0]
    indices: list[int] = []
    for terms in sets:
        indices.extend(sorted(vocabulary[t] for t in terms if t in vocabulary))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(sets), len(vocabulary)),
    )


def shared_counts(a: Bag, b: Bag) -> np.ndarray:
    """|A_i n B_j| for every pair, as a dense (len(a), len(b)) array."""
    if len(a.sets) == 0 or len(b.sets) == 0:
        return np.zeros((len(a.sets), len(b.sets)))
    # Re-express the side with fewer entries in the other side's vocabulary (cheap), so
    # precomputed pools never need rebuilding when a new profile shows up.
    if a.entries <= b.entries:
        left, right = _incidence(a.sets, b.vocabulary), b.matrix
    else:
        left, right = a.matrix, _incidence(b.sets, a.vocabulary)
    if right.shape[0] <= _SMALL_SIDE_ROWS:
        return np.asarray(left @ right.toarray().T)
    if left.shape[0] <= _SMALL_SIDE_ROWS:
        return np.asarray(right @ left.toarray().T).T
    return np.asarray((left @ right.T).toarray())


@dataclass(frozen=True)
class Codes:
    """Strings factorised to integers, so equality tests over matrices are integer compares."""

    values: tuple[str, ...]
    index: Mapping[str, int]
    codes: np.ndarray

    @classmethod
    def of(cls, values: Iterable[str]) -> Codes:
        values = tuple(values)
        index: dict[str, int] = {}
        codes = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
        return cls(values=values, index=index, codes=codes)

    def with_row(self, index: int, value: str) -> Codes:
        """These codes with row ``index`` set to ``value`` (copy on write; stale codes are
        harmless: no row carries them, so they never compare equal)."""
        if self.values[index] == value:
            return self
        mapping = self.index
        if value not in mapping:
            mapping = {**mapping, value: len(mapping)}
        array = self.codes.copy()
        array[index] = mapping[value]
        return Codes(
            values=(*self.values[:index], value, *self.values[index + 1 :]),
            index=mapping,
            codes=array,
        )


def equal(a: Codes, b: Codes) -> np.ndarray:
    if len(a.values) <= len(b.values):
        left = np.array([b.index.get(v, -1) for v in a.values], dtype=np.int64)
        return left[:, None] == b.codes[None, :]
    right = np.array([a.index.get(v, -1) for v in b.values], dtype=np.int64)
    return a.codes[:, None] == right[None, :]


@dataclass(frozen=True)
class ProfileFeatures:
    """Per-profile arrays for one side of the matrix, computed once and reused.

    ``side`` decides the skills and fields bags: mentors are scored on what they offer
    (skills and expertise), mentees on what they seek (goals, interests and skills).
    """

    side: Side
    at: datetime
    prepared: tuple[PreparedProfile, ...]
    member_ids: tuple[str, ...]
    user_ids: Codes
    organization_ids: Codes
    industries: Codes
    job_functions: Codes
    is_mentor: np.ndarray
    is_mentee: np.ndarray
    approved: np.ndarray
    accepting: np.ndarray
    free_slots: np.ndarray  # capacity - active mentees (float; may be negative)
    capacity: np.ndarray
    utc_offsets: np.ndarray
    years: np.ndarray
    skills: Bag
    fields: Bag
    languages: Bag
    keywords: Bag
    custom: Mapping[str, Bag]  # one bag per custom field key seen on this side
    embeddings: np.ndarray  # (n, d) unit rows; zero rows where missing
    has_embedding: np.ndarray

    def __len__(self) -> int:
        return len(self.member_ids)


def _side_terms(profile: PreparedProfile, side: Side) -> Mapping[str, str]:
    return profile.offered if side == "mentor" else profile.sought


def _side_fields(profile: PreparedProfile, side: Side) -> Mapping[str, str]:
    return profile.offered_fields if side == "mentor" else profile.sought_fields


def _row_values(profile: PreparedProfile) -> dict[str, Any]:
    """The numeric per-row values of one profile, by ProfileFeatures field."""
    raw = profile.profile
    return {
        "is_mentor": MENTOR_ROLE in raw.roles,
        "is_mentee": MENTEE_ROLE in raw.roles,
        "approved": raw.mentor_approved,
        "accepting": raw.accepting_mentees,
        "free_slots": profile.free_slots,
        "capacity": float(raw.capacity),
        "utc_offsets": profile.utc_offset_hours,
        "years": profile.years_experience,
    }


_ROW_DTYPES = {
    "is_mentor": bool,
    "is_mentee": bool,
    "approved": bool,
    "accepting": bool,
    "free_slots": np.float64,
    "capacity": np.float64,
    "utc_offsets": np.float64,
    "years": np.float64,
}


def _embedding_matrix(prepared: Sequence[PreparedProfile]) -> tuple[np.ndarray, np.ndarray]:
    dimension = next((len(p.unit_embedding) for p in prepared if p.unit_embedding is not None), 0)
    embeddings = np.zeros((len(prepared), dimension), dtype=np.float32)
    has_embedding = np.zeros(len(prepared), dtype=bool)
    for row, p in enumerate(prepared):
        if p.unit_embedding is not None:
            if len(p.unit_embedding) != dimension:
                raise ValueError("profiles carry embeddings of different sizes")
            embeddings[row] = p.unit_embedding
            has_embedding[row] = True
    return embeddings, has_embedding


def build_features(
    profiles: Sequence[MatchableProfile | PreparedProfile],
    side: Side,
    *,
    at: datetime | None = None,
) -> ProfileFeatures:
    at = at or datetime.now(UTC)
    prepared = tuple(
        p if isinstance(p, PreparedProfile) else prepare_profile(p, at) for p in profiles
    )
    rows = [_row_values(p) for p in prepared]
    arrays = {
        name: np.array([row[name] for row in rows], dtype=dtype)
        for name, dtype in _ROW_DTYPES.items()
    }
    embeddings, has_embedding = _embedding_matrix(prepared)
    custom_keys = sorted({key for p in prepared for key in p.custom})
    return ProfileFeatures(
        side=side,
        at=at,
        prepared=prepared,
        member_ids=tuple(p.member_id for p in prepared),
        user_ids=Codes.of(p.profile.user_id for p in prepared),
        organization_ids=Codes.of(p.profile.organization_id for p in prepared),
        industries=Codes.of(p.industry for p in prepared),
        job_functions=Codes.of(p.job_function for p in prepared),
        skills=Bag.of(_side_terms(p, side) for p in prepared),
        fields=Bag.of(_side_fields(p, side) for p in prepared),
        languages=Bag.of(p.languages for p in prepared),
        keywords=Bag.of(p.keyword_phrases for p in prepared),
        custom={key: Bag.of(p.custom.get(key, {}) for p in prepared) for key in custom_keys},
        embeddings=embeddings,
        has_embedding=has_embedding,
        **arrays,
    )


def _custom_with(features: ProfileFeatures, index: int, profile: PreparedProfile) -> dict[str, Bag]:
    custom = dict(features.custom)
    for key in sorted(custom.keys() | profile.custom.keys()):
        bag = custom.get(key) or Bag.of(frozenset() for _ in range(len(features)))
        custom[key] = bag.with_row(index, profile.custom.get(key, {}))
    return custom


def replace_profile(
    features: ProfileFeatures, index: int, profile: PreparedProfile, *, copy: bool = True
) -> ProfileFeatures:
    """``features`` with row ``index`` describing ``profile`` instead.

    Equal, for scoring, to rebuilding the features with that one profile swapped, without
    re-reading any other profile: what a live pool needs when one member of a large
    program edits their profile. ``copy=False`` writes the numeric arrays (the embedding
    matrix is 15 MB for 10,000 profiles) in place, for an owner that drops the old
    features at once; the term bags and codes are always copied on write (small).
    """

    def _array_with(array: np.ndarray, value: Any) -> np.ndarray:
        target = array.copy() if copy else array
        target[index] = value
        return target

    prepared = (*features.prepared[:index], profile, *features.prepared[index + 1 :])
    vector = profile.unit_embedding
    embeddings = features.embeddings
    if vector is not None and embeddings.shape[1] == 0 and len(features) > 0:
        # the first embedding on this side: its dimension is not known yet, rebuild
        return build_features(prepared, features.side, at=features.at)
    if vector is not None and len(vector) != embeddings.shape[1]:
        raise ValueError("profiles carry embeddings of different sizes")
    row = _row_values(profile)
    raw = profile.profile
    return ProfileFeatures(
        side=features.side,
        at=features.at,
        prepared=prepared,
        member_ids=(*features.member_ids[:index], raw.member_id, *features.member_ids[index + 1 :]),
        user_ids=features.user_ids.with_row(index, raw.user_id),
        organization_ids=features.organization_ids.with_row(index, raw.organization_id),
        industries=features.industries.with_row(index, profile.industry),
        job_functions=features.job_functions.with_row(index, profile.job_function),
        skills=features.skills.with_row(index, _side_terms(profile, features.side)),
        fields=features.fields.with_row(index, _side_fields(profile, features.side)),
        languages=features.languages.with_row(index, profile.languages),
        keywords=features.keywords.with_row(index, profile.keyword_phrases),
        custom=_custom_with(features, index, profile),
        embeddings=_array_with(embeddings, 0.0 if vector is None else vector),
        has_embedding=_array_with(features.has_embedding, vector is not None),
        **{name: _array_with(getattr(features, name), row[name]) for name in _ROW_DTYPES},
    )
