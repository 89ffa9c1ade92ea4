/**
 * LEFT JOIN with equalities in its ON clause: the right side's rows go into a hash table by their
 * key, each left row probes it, and only the rows that share its key are paired and checked
 * against the whole ON clause (a left row no pair passes is kept with NULLs, as before). Without
 * such an equality the join stays a nested loop.
 */
import type { Node } from '@pgsql/types';
import type { RunContext } from '../env.ts';
import { compile, unifyPair } from '../expr.ts';
import { strings } from '../names.ts';
import type { Compiled, Scope } from '../scope.ts';
import type { Value } from '../types.ts';
import { conjuncts, referencedSlots } from './access.ts';
import { hashKey, HASHABLE } from './join.ts';

export interface HashKeys {
  /** Over the left row (its slots come first in the joined row). */
  left: Compiled[];
  /** Over the joined row's layout: the right row placed after `split` slots. */
  right: Compiled[];
  nodes: Node[];
}

/** `l = r` conjuncts of `quals` with one side on slots [0, split) and the other on [split, width). */
export function hashKeysOf(quals: Node, scope: Scope, split: number, width: number): HashKeys | undefined {
  const keys: HashKeys = { left: [], right: [], nodes: [] };
  for (const c of conjuncts(quals)) {
    if (!('A_Expr' in c) || c.A_Expr.kind !== 'AEXPR_OP' || strings(c.A_Expr.name).join('.') !== '=' || !c.A_Expr.lexpr || !c.A_Expr.rexpr) continue;
    for (const [a, b] of [[c.A_Expr.lexpr, c.A_Expr.rexpr], [c.A_Expr.rexpr, c.A_Expr.lexpr]] as const) {
      const sa = referencedSlots(a, scope), sb = referencedSlots(b, scope);
      if (!sa?.length || !sb?.length || !sa.every((x) => x < split) || !sb.every((x) => x >= split && x < width)) continue;
      const [l, r, t] = unifyPair('=', compile(a, scope), compile(b, scope));
      if (!HASHABLE.has(t)) break;
      keys.left.push(l);
      keys.right.push(r);
      keys.nodes.push(c);
      break;
    }
  }
  return keys.left.length ? keys : undefined;
}

/** The right side's rows by key (rows with a NULL key can never pair and are left out). */
export function buildHash(keys: HashKeys, rows: readonly Value[][], split: number, width: number, ctx: RunContext): Map<Value, Value[][]> {
  const table = new Map<Value, Value[][]>();
  const scratch: Value[] = new Array(width).fill(null);
  const single = keys.right.length === 1;
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) scratch[split + i] = r[i];
    const k = hashKey(keys.right, scratch, ctx, single);
    if (k === undefined) continue;
    const list = table.get(k);
    if (list) list.push(r);
    else table.set(k, [r]);
  }
  return table;
}
