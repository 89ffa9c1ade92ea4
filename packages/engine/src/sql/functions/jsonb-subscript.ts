/**
 * jsonb subscripts in expressions (`j['a']`, `j['a'][0]`), as jsonb_subscript_transform and
 * jsonb_get_element define them: each subscript is an integer or text (an unknown literal is
 * text), slices are refused, and the path is followed like `#>` — a key of an object, an index
 * of an array (text that is an integer; negative from the end) — giving NULL where it leads nowhere.
 */
import type { A_Indices, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import type { Scope } from '../scope.ts';
import { TYPE_NAME, type Value } from '../types.ts';
import { jsonbPath, topLevel } from '../types/jsonb.ts';

type Compile = (n: Node, s: Scope) => Expr;

/** A subscript as jsonb takes it: int4, or text (unknown literals too); 42804 for other types. */
export function jsonbSubscriptArg(e: Expr): Expr {
  if (e.type === 'int2' || e.type === 'int4') return retype(e, 'int4');
  if (e.type === 'unknown' || e.type === 'text' || e.type === 'varchar' || e.type === 'bpchar' || e.type === 'name') return retype(e, 'text');
  throw new SqlError(SQLSTATE.datatype_mismatch, `subscript type ${TYPE_NAME[e.type]} is not supported`, {
    hint: 'jsonb subscript must be coercible to either integer or text.',
  });
}

export function compileJsonbSubscript(base: Expr, indices: A_Indices[], scope: Scope, compile: Compile): Expr {
  if (indices.some((i) => i.is_slice)) throw new SqlError(SQLSTATE.datatype_mismatch, 'jsonb subscript does not support slices');
  const steps = indices.map((i) => jsonbSubscriptArg(compile(i.uidx!, scope)).eval);
  const be = base.eval;
  return expr('jsonb', (row, ctx) => {
    const doc = be(row, ctx);
    if (doc === null) return null;
    const path: string[] = [];
    for (const s of steps) {
      const k = s(row, ctx);
      if (k === null) return null;
      path.push(String(k as Value as string | number));
    }
    const v = jsonbPath(doc, path);
    return v === undefined ? null : topLevel(v);
  });
}
