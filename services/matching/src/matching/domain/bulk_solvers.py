"""The exact solvers of a bulk round, on canonical arrays (see :mod:`matching.domain.bulk`).

* :func:`solve_dense`: ``scipy.optimize.linear_sum_assignment`` over every slot;
* :func:`solve_sparse`: each mentee's best candidates solved with
  ``min_weight_full_bipartite_matching``, then certified against every excluded pair by LP
  duality (:func:`residual_potentials`); pairs that could still raise the total are added
  back and the problem solved again, so the answer stays exact.

Both return the mentor index per mentee (-1: unmatched).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

CERTIFICATE_TOLERANCE = 1e-9
MAX_CERTIFICATE_ROUNDS = 25


def slots(capacity: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Mentor index of every usable slot (a mentor needs no more slots than candidates)."""
    usable = np.minimum(capacity, allowed.sum(axis=1))
    return np.repeat(np.arange(len(capacity)), usable)


def solve_dense(gain: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Mentor per mentee (-1: unmatched) maximising the total gain, by linear_sum_assignment."""
    n_mentees = allowed.shape[1]
    assignment = np.full(n_mentees, -1, dtype=np.int64)
    slot_mentor = slots(capacity, allowed)
    active = np.flatnonzero(allowed.any(axis=0))
    if len(slot_mentor) == 0 or len(active) == 0:
        return assignment
    # (slots x mentees) costs; +inf forbids a pair. Zero-cost idle columns for the smaller
    # side let anyone stay unmatched, so a complete assignment always exists.
    cost = np.where(
        allowed[np.ix_(slot_mentor, active)], -gain[np.ix_(slot_mentor, active)], np.inf
    )
    if len(slot_mentor) <= len(active):
        padded = np.hstack([cost, np.zeros((len(slot_mentor), len(slot_mentor)))])
        slot_rows, columns = linear_sum_assignment(padded)
        real = columns < len(active)
        assignment[active[columns[real]]] = slot_mentor[slot_rows[real]]
    else:
        padded = np.hstack([cost.T, np.zeros((len(active), len(active)))])
        mentee_rows, columns = linear_sum_assignment(padded)
        real = columns < len(slot_mentor)
        assignment[active[mentee_rows[real]]] = slot_mentor[columns[real]]
    return assignment


def _solve_sparse_restricted(
    gain: np.ndarray, candidates: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Exact optimum when only ``candidates`` pairs may be used (sparse LAPJV)."""
    n_mentees = candidates.shape[1]
    assignment = np.full(n_mentees, -1, dtype=np.int64)
    slot_mentor = slots(capacity, candidates)
    if len(slot_mentor) == 0 or not candidates.any():
        return assignment
    first_slot = np.searchsorted(slot_mentor, np.arange(len(capacity)))
    slot_count = np.bincount(slot_mentor, minlength=len(capacity))
    mentor_of_edge, mentee_of_edge = np.nonzero(candidates)
    copies = slot_count[mentor_of_edge]
    keep = copies > 0
    mentor_of_edge, mentee_of_edge, copies = (
        mentor_of_edge[keep],
        mentee_of_edge[keep],
        copies[keep],
    )
    edge_rows = np.repeat(mentee_of_edge, copies)
    offset_in_mentor = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
    edge_cols = np.repeat(first_slot[mentor_of_edge], copies) + offset_in_mentor
    # The solver wants positive weights: cost = base - gain on real edges, base on "idle".
    base = float(gain[candidates].max(initial=0.0)) + 1.0
    edge_costs = base - np.repeat(gain[mentor_of_edge, mentee_of_edge], copies)
    n_slots = len(slot_mentor)
    rows = np.concatenate([edge_rows, np.arange(n_mentees)])
    cols = np.concatenate([edge_cols, n_slots + np.arange(n_mentees)])
    costs = np.concatenate([edge_costs, np.full(n_mentees, base)])
    graph = sparse.csr_matrix((costs, (rows, cols)), shape=(n_mentees, n_slots + n_mentees))
    mentee_rows, columns = min_weight_full_bipartite_matching(graph)
    real = columns < n_slots
    assignment[mentee_rows[real]] = slot_mentor[columns[real]]
    return assignment


def residual_potentials(
    gain: np.ndarray, candidates: np.ndarray, capacity: np.ndarray, assignment: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Node potentials (mentors, mentees) proving ``assignment`` optimal on ``candidates``.

    Min-cost circulation view: hub -> mentee -> mentor -> hub, cost -gain on the middle arc.
    Shortest distances from a virtual root in the residual graph are valid potentials; an
    excluded pair (mentor j, mentee i) could improve the total only if its reduced cost
    -gain + pi(i) - pi(j) is negative.
    """
    n_mentors, n_mentees = candidates.shape
    hub = n_mentees + n_mentors
    mentor_node = n_mentees + np.arange(n_mentors)
    matched = assignment >= 0
    load = np.bincount(assignment[matched], minlength=n_mentors)

    cand_mentor, cand_mentee = np.nonzero(candidates)
    is_matched_edge = assignment[cand_mentee] == cand_mentor
    edge_gain = gain[cand_mentor, cand_mentee]
    tails = [
        cand_mentee[~is_matched_edge],  # mentee -> mentor, cost -gain
        mentor_node[cand_mentor[is_matched_edge]],  # mentor -> mentee, cost +gain
        np.full((~matched).sum(), hub),  # hub -> unmatched mentee
        np.flatnonzero(matched),  # matched mentee -> hub
        mentor_node[load < capacity],  # mentor with a free slot -> hub
        np.full((load > 0).sum(), hub),  # hub -> mentor with a match
    ]
    heads = [
        mentor_node[cand_mentor[~is_matched_edge]],
        cand_mentee[is_matched_edge],
        np.flatnonzero(~matched),
        np.full(matched.sum(), hub),
        np.full((load < capacity).sum(), hub),
        mentor_node[load > 0],
    ]
    weights = [
        -edge_gain[~is_matched_edge],
        edge_gain[is_matched_edge],
        np.zeros((~matched).sum()),
        np.zeros(matched.sum()),
        np.zeros((load < capacity).sum()),
        np.zeros((load > 0).sum()),
    ]
    distance = _distances_from_a_virtual_root(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(weights), hub + 1
    )
    return distance[mentor_node], distance[:n_mentees]


class NegativeCycleError(RuntimeError):
    """The residual graph has a negative cycle: the matching could still be improved."""


def _distances_from_a_virtual_root(
    tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, n_nodes: int
) -> np.ndarray:
    """Bellman-Ford from a root with a 0-cost arc to every node, vectorised over arcs.

    Every round relaxes all arcs at once and the loop stops when nothing changes, which for
    residual graphs of near-optimal matchings takes a few dozen rounds, not ``n_nodes``.
    """
    order = np.argsort(heads, kind="stable")
    tails, heads, weights = tails[order], heads[order], weights[order]
    targets, first_arc = np.unique(heads, return_index=True)
    distance = np.zeros(n_nodes)
    for _ in range(n_nodes + 1):
        best_incoming = np.minimum.reduceat(distance[tails] + weights, first_arc)
        improved = best_incoming < distance[targets] - 1e-15
        if not improved.any():
            return distance
        distance[targets[improved]] = best_incoming[improved]
    raise NegativeCycleError("residual graph has a negative cycle")


def solve_sparse(
    gain: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, candidate_limit: int
) -> tuple[np.ndarray, dict[str, float]]:
    n_mentors, n_mentees = allowed.shape
    candidates = np.zeros_like(allowed)
    if n_mentors and n_mentees:
        # Each mentee's best `candidate_limit` allowed mentors. Which of several equal
        # mentors makes the cut does not matter: the certificate below adds back any pair
        # that could still raise the total.
        masked = np.where(allowed, gain, -np.inf)
        limit = min(candidate_limit, n_mentors)
        if limit < n_mentors:
            best = np.argpartition(-masked, limit - 1, axis=0)[:limit]
            np.put_along_axis(candidates, best, True, axis=0)
        else:
            candidates[:] = True
        candidates &= allowed
    rounds = 0
    while True:
        rounds += 1
        assignment = _solve_sparse_restricted(gain, candidates, capacity)
        mentor_pi, mentee_pi = residual_potentials(gain, candidates, capacity, assignment)
        reduced = -gain + mentee_pi[None, :] - mentor_pi[:, None]
        improving = allowed & ~candidates & (reduced < -CERTIFICATE_TOLERANCE)
        if not improving.any():
            return assignment, {"rounds": rounds, "candidate_pairs": int(candidates.sum())}
        if rounds >= MAX_CERTIFICATE_ROUNDS:
            raise RuntimeError("sparse bulk matching did not converge")
        candidates |= improving
