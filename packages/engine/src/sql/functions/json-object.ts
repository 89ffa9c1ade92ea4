/**
 * json_object / jsonb_object: an object from a text array of alternating keys and values (one
 * dimension, or two with two columns), or from an array of keys and one of values — with
 * PostgreSQL's checks and error texts. json keeps every pair in order (`{"a" : "1"}`); jsonb is
 * parsed from that text, so a repeated key keeps its last value, as jsonb does.
 */
import { SqlError } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import type { Value } from '../types.ts';
import { parseJsonb } from '../types/jsonb.ts';

type Cell = string | null;
const arrayError = (message: string) => new SqlError('2202E', message);
const depth = (a: Value): number => (Array.isArray(a) ? (a.length ? 1 + depth(a[0]) : 0) : 0);

/** The key/value pairs of the one-argument form. */
function pairsOf(a: Value[]): [Cell, Cell][] {
  const d = depth(a);
  if (d === 0) return [];
  if (d === 1) {
    if (a.length % 2) throw arrayError('array must have even number of elements');
    const out: [Cell, Cell][] = [];
    for (let i = 0; i < a.length; i += 2) out.push([a[i] as Cell, a[i + 1] as Cell]);
    return out;
  }
  if (d === 2) {
    if ((a[0] as Value[]).length !== 2) throw arrayError('array must have two columns');
    return (a as Cell[][]).map((r) => [r[0]!, r[1]!]);
  }
  throw arrayError('wrong number of array subscripts');
}

/** The pairs of the two-argument form. */
function zipped(keys: Value[], values: Value[]): [Cell, Cell][] {
  if (depth(keys) > 1 || depth(values) > 1) throw arrayError('wrong number of array subscripts');
  if (keys.length !== values.length) throw arrayError('mismatched array dimensions');
  return keys.map((k, i) => [k as Cell, values[i] as Cell]);
}

function objectText(pairs: [Cell, Cell][]): string {
  return '{' + pairs.map(([k, v]) => {
    if (k === null) throw new SqlError('22004', 'null value not allowed for object key');
    return `${JSON.stringify(k)} : ${v === null ? 'null' : JSON.stringify(v)}`;
  }).join(', ') + '}';
}

export function compileJsonObject(name: string, args: Expr[]): Expr | undefined {
  if ((name !== 'json_object' && name !== 'jsonb_object') || args.length < 1 || args.length > 2) return undefined;
  if (!args.every((e) => e.type === 'unknown' || e.type === 'text[]' || e.type === 'varchar[]')) return undefined;
  const [k, v] = args.map((e) => retype(e, 'text[]').eval);
  const text = (row: readonly Value[], ctx: Parameters<Expr['eval']>[1]): string | null => {
    const a = k!(row, ctx) as Value[] | null;
    if (a === null) return null;
    if (!v) return objectText(pairsOf(a));
    const b = v(row, ctx) as Value[] | null;
    return b === null ? null : objectText(zipped(a, b));
  };
  if (name === 'json_object') return expr('json', text);
  return expr('jsonb', (row, ctx) => {
    const t = text(row, ctx);
    return t === null ? null : parseJsonb(t);
  });
}
