/**
 * When a LATERAL sub-select among flattened inner joins may be joined: once every earlier leaf
 * whose columns it reads is bound, not every leaf before it. In `FROM a, b JOIN LATERAL (VALUES
 * (a.x)) s(x) ON b.y = s.x` the sub-select then runs per row of `a` and `b` joins it by hash on
 * `b.y = s.x` (PostgreSQL's plan), instead of a product of `a` and `b` filtered pair by pair.
 * The sub-select is run with the whole row before it; the slots of leaves it does not read are
 * never looked at, so they may still be unset. When nothing joins by equality to what is bound, a
 * ready sub-select goes before a cross product: it runs once per row bound so far, where after the
 * product it would run once per pair.
 */
import type { JoinLeaf } from './join.ts';

export function lateralReady(leaves: readonly JoinLeaf[], i: number, bound: ReadonlySet<number>): boolean {
  const leaf = leaves[i]!;
  if (leaf.lateral === undefined) return true;
  const reads = leaf.lateralReads ?? leaf.lateral;
  return leaves.every((l, j) => j >= i || l.offset >= reads || bound.has(j));
}

/** Of the leaves that could come next with no equality to what is bound, the ready LATERAL ones if any. */
export function lateralFirst(candidates: number[], leaves: readonly JoinLeaf[]): number[] {
  const lateral = candidates.filter((i) => leaves[i]!.lateral !== undefined);
  return lateral.length ? lateral : candidates;
}
