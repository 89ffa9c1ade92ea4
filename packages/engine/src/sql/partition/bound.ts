/**
 * FOR VALUES FROM (…) TO (…) | IN (…) | DEFAULT: a partition's bound as catalog data, the test
 * whether a key falls inside it, and PostgreSQL's checks against the bounds of its siblings
 * (42P17 overlaps, empty ranges, a second DEFAULT).
 */
import type { Node, PartitionBoundSpec } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { PartitionBound, PartitionKey, RangeDatum, TableDef } from '../../catalog/types.ts';
import { assignable, coerceToColumn, formatTypeName } from '../cast.ts';
import { compileExpr } from '../expr.ts';
import { pos, RowScope, type SubqueryPlanner } from '../from.ts';
import type { EvalContext } from '../scope.ts';
import type { Value } from '../types.ts';
import { compareValues, formatValue } from '../values.ts';
import { ownName } from '../schema/keys.ts';

const STRATEGY_LETTER = { range: 'r', list: 'l', hash: 'h' } as const;

export function planBound(spec: PartitionBoundSpec, key: PartitionKey, planner: SubqueryPlanner, ctx: EvalContext): PartitionBound {
  if (spec.is_default) {
    if (key.strategy === 'hash') throw new SqlError('42P16', 'a hash-partitioned table may not have a default partition', { position: pos(spec.location) });
    return { kind: 'default' };
  }
  if (spec.strategy !== STRATEGY_LETTER[key.strategy]) {
    throw new SqlError('42P16', `invalid bound specification for a ${key.strategy} partition`, { position: pos(spec.location) });
  }
  const value = (n: Node, i: number): Value => {
    const scope = new RowScope([], 0, planner);
    scope.clause = 'partition bound';
    const c = compileExpr(n, scope);
    const type = key.keys[i]!.type;
    if (c.type !== 'unknown' && !assignable(c.type, type)) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `specified value cannot be cast to type ${formatTypeName(type)} for column "${key.keys[i]!.text}"`, { position: pos(spec.location) });
    }
    return coerceToColumn(c.eval([], ctx), type, -1, c.type === 'unknown' ? undefined : c.type);
  };
  if (key.strategy === 'hash') {
    const modulus = spec.modulus ?? 0, remainder = spec.remainder ?? 0;
    if (modulus <= 0) throw new SqlError('42P16', 'modulus for hash partition must be an integer value greater than zero', { position: pos(spec.location) });
    if (remainder >= modulus) throw new SqlError('42P16', 'remainder for hash partition must be less than modulus', { position: pos(spec.location) });
    return { kind: 'hash', modulus, remainder };
  }
  if (key.strategy === 'list') {
    const values: Value[] = [];
    for (const n of spec.listdatums ?? []) {
      const v = value(n, 0);
      if (!values.some((x) => same(x, v))) values.push(v);
    }
    return { kind: 'list', values };
  }
  const datums = (list: Node[] | undefined, which: string): RangeDatum[] => {
    const out = (list ?? []).map((n, i): RangeDatum => {
      const word = 'ColumnRef' in n && n.ColumnRef.fields?.length === 1 ? (n.ColumnRef.fields[0] as { String?: { sval: string } }).String?.sval : undefined;
      if (word === 'minvalue' || word === 'maxvalue') return word;
      const v = value(n, i);
      if (v === null) throw new SqlError('42P17', 'cannot specify NULL in range bound', { position: pos(spec.location) });
      return { value: v };
    });
    if (out.length !== key.keys.length) {
      throw new SqlError('42P16', `${which} must specify exactly one value per partitioning column`, { position: pos(spec.location) });
    }
    for (let i = 1; i < out.length; i++) {
      const prev = out[i - 1]!;
      if (prev === 'maxvalue' && out[i] !== 'maxvalue') throw new SqlError('42P16', 'every bound following MAXVALUE must also be MAXVALUE', { position: pos(spec.location) });
      if (prev === 'minvalue' && out[i] !== 'minvalue') throw new SqlError('42P16', 'every bound following MINVALUE must also be MINVALUE', { position: pos(spec.location) });
    }
    return out;
  };
  return { kind: 'range', from: datums(spec.lowerdatums, 'FROM'), to: datums(spec.upperdatums, 'TO') };
}

function same(a: Value, b: Value): boolean {
  return a === null || b === null ? a === b : compareValues(a, b) === 0;
}

const KIND = { minvalue: -1, maxvalue: 1 } as const;

/** A key against a range bound (PostgreSQL's partition_rbound_datum_cmp): after MINVALUE or MAXVALUE the rest is ignored. */
function compareToBound(key: readonly Value[], bound: readonly RangeDatum[]): number {
  for (let i = 0; i < bound.length; i++) {
    const b = bound[i]!;
    if (b === 'minvalue') return 1;
    if (b === 'maxvalue') return -1;
    const c = compareValues(key[i]!, b.value);
    if (c !== 0) return c;
  }
  return 0;
}

/** Two range bounds (partition_rbound_cmp without the lower/upper tie-break, which overlap tests do not need). */
function compareBounds(a: readonly RangeDatum[], b: readonly RangeDatum[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    const kx = typeof x === 'string' ? KIND[x] : 0, ky = typeof y === 'string' ? KIND[y] : 0;
    if (kx !== ky) return kx - ky;
    if (kx !== 0) return 0;
    const c = compareValues((x as { value: Value }).value, (y as { value: Value }).value);
    if (c !== 0) return c;
  }
  return 0;
}

/** Whether a key (no DEFAULT) falls inside the bound. A NULL key column fits only a list bound naming NULL. */
export function boundContains(bound: PartitionBound, key: readonly Value[]): boolean {
  if (bound.kind === 'list') return bound.values.some((v) => same(v, key[0]!));
  if (bound.kind === 'range') {
    if (key.some((v) => v === null)) return false;
    return compareToBound(key, bound.from) >= 0 && compareToBound(key, bound.to) < 0;
  }
  return false;
}

function showDatum(d: RangeDatum, key: PartitionKey, i: number): string {
  return typeof d === 'string' ? d.toUpperCase() : formatValue(d.value, key.keys[i]!.type) ?? 'NULL';
}

/** The new partition's bound against its siblings': PostgreSQL's errors for an empty range, an overlap, a second DEFAULT. */
export function checkBound(name: string, bound: PartitionBound, key: PartitionKey, siblings: readonly TableDef[], location?: number): void {
  const position = pos(location);
  if (bound.kind === 'default') {
    const other = siblings.find((s) => s.partitionBound?.kind === 'default');
    if (other) throw new SqlError('42P17', `partition "${ownName(name)}" conflicts with existing default partition "${ownName(other.name)}"`, { position });
    return;
  }
  if (bound.kind === 'range' && compareBounds(bound.from, bound.to) >= 0) {
    const show = (ds: RangeDatum[]) => ds.map((d, i) => showDatum(d, key, i)).join(', ');
    throw new SqlError('42P17', `empty range bound specified for partition "${ownName(name)}"`, {
      detail: `Specified lower bound (${show(bound.from)}) is greater than or equal to upper bound (${show(bound.to)}).`,
      position,
    });
  }
  if (bound.kind === 'hash') checkHashModulus(bound, siblings);
  for (const s of siblings) {
    const b = s.partitionBound;
    if (!b || !overlaps(bound, b)) continue;
    throw new SqlError('42P17', `partition "${ownName(name)}" would overlap partition "${ownName(s.name)}"`, { position });
  }
}

/** PostgreSQL's rule that every modulus divides the next larger one, checked against the neighbours in (modulus, remainder) order. */
function checkHashModulus(bound: { modulus: number; remainder: number }, siblings: readonly TableDef[]): void {
  const hashes = siblings.flatMap((s) => (s.partitionBound?.kind === 'hash' ? [{ name: s.name, ...s.partitionBound }] : []))
    .sort((a, b) => a.modulus - b.modulus || a.remainder - b.remainder);
  if (!hashes.length) return;
  const fail = (detail: string) => new SqlError('42P17', 'every hash partition modulus must be a factor of the next larger modulus', { detail });
  const m = bound.modulus;
  let at = -1;
  hashes.forEach((h, i) => { if (h.modulus < m || (h.modulus === m && h.remainder <= bound.remainder)) at = i; });
  if (at >= 0 && m % hashes[at]!.modulus !== 0) throw fail(`The new modulus ${m} is not divisible by ${hashes[at]!.modulus}, the modulus of existing partition "${ownName(hashes[at]!.name)}".`);
  const next = hashes[at + 1];
  if (next && next.modulus % m !== 0) throw fail(`The new modulus ${m} is not a factor of ${next.modulus}, the modulus of existing partition "${ownName(next.name)}".`);
}

function overlaps(a: PartitionBound, b: PartitionBound): boolean {
  if (a.kind === 'hash' && b.kind === 'hash') {
    const m = Math.min(a.modulus, b.modulus);
    return a.remainder % m === b.remainder % m;
  }
  if (a.kind === 'list' && b.kind === 'list') return a.values.some((v) => b.values.some((w) => same(v, w)));
  if (a.kind === 'range' && b.kind === 'range') return compareBounds(a.from, b.to) < 0 && compareBounds(b.from, a.to) < 0;
  return false;
}
