// Bulk matching rounds: pin/forbid bookkeeping and comparing two runs' pairs.
import type { M } from "../api/client";

export type Pair = { mentor_id: string; mentee_id: string };
export const pairKey = (p: Pair) => `${p.mentor_id}|${p.mentee_id}`;

/** Toggle a pair in a list (pinning a pair un-forbids it and the other way round elsewhere). */
export function toggle(list: Pair[], pair: Pair): Pair[] {
  const key = pairKey(pair);
  return list.some((p) => pairKey(p) === key) ? list.filter((p) => pairKey(p) !== key) : [...list, { mentor_id: pair.mentor_id, mentee_id: pair.mentee_id }];
}

export interface Comparison {
  onlyA: M["RoundPair"][];
  onlyB: M["RoundPair"][];
  both: M["RoundPair"][];
}

export function compareRuns(a: M["RoundPair"][], b: M["RoundPair"][]): Comparison {
  const inB = new Set(b.map(pairKey));
  const inA = new Set(a.map(pairKey));
  return {
    onlyA: a.filter((p) => !inB.has(pairKey(p))),
    onlyB: b.filter((p) => !inA.has(pairKey(p))),
    both: a.filter((p) => inB.has(pairKey(p))),
  };
}
