/**
 * Aggregates beyond count/sum/avg/min/max and aggregate-call ORDER BY: array_agg, string_agg,
 * bool_and/bool_or/every, and `agg(x ORDER BY y)` / `agg(DISTINCT x ORDER BY x)` for any of them.
 * Each row's arguments and sort keys travel to the aggregate as one tuple; the aggregate keeps the
 * tuples and folds them in ORDER BY order at the end.
 */
import { isRowType } from '../composite/type.ts';
import type { FuncCall, Node, SortBy } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { makeAggregate, type Aggregate } from '../aggregates.ts';
import { isTextType } from '../cast.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { comparatorFor, type Comparator } from '../operators.ts';
import { sameExpr } from '../names.ts';
import type { Compiled, Scope } from '../scope.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { arrayTypeOf, dimensions, isArrayType } from '../types/array.ts';
import { compareForSort, toText } from '../values.ts';
import { rowKeyFor } from '../types/bpchar.ts';
import { toJsonb, toJsonText } from './json.ts';
import { nested } from '../types/jsonb.ts';
import { pgQsort } from '../sort/pg-qsort.ts';

/** Folds argument tuples in order: the aggregate's own logic once ORDER BY and DISTINCT are applied. */
interface Folder {
  type: SqlType;
  fold(tuples: Value[][]): Value;
}

const EXTRA = new Set(['array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg']);

function noSuch(name: string, types: SqlType[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${types.map((t) => TYPE_NAME[t]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** string_agg(bytea, bytea): the values joined, each after the first preceded by its own row's delimiter. */
function byteaAgg(rows: Value[][]): Value {
  const parts: Uint8Array[] = [];
  for (const [v, sep] of rows) {
    if (v === null) continue;
    if (parts.length && sep !== null) parts.push(sep as Uint8Array);
    parts.push(v as Uint8Array);
  }
  if (!parts.length) return null;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function folder(name: string, args: Expr[], star: boolean): { folder: Folder; args: Compiled[] } {
  const types = args.map((a) => a.type);
  if (name === 'array_agg') {
    if (args.length !== 1) throw noSuch(name, types);
    // array_agg(anynonarray) and array_agg(anyarray) both take an untyped literal
    if (types[0] === 'unknown') {
      throw new SqlError('42725', 'function array_agg(unknown) is not unique', { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
    }
    const t = types[0]!;
    const arg = retype(args[0]!, t);
    if (isArrayType(t)) {
      return {
        args: [arg],
        folder: {
          type: t,
          fold: (rows) => {
            if (!rows.length) return null;
            const items = rows.map((r) => r[0]);
            if (items.some((v) => v === null)) throw new SqlError('22004', 'cannot accumulate null arrays');
            const dims = JSON.stringify(dimensions(items[0] as Value[]));
            if (items.some((v) => (v as Value[]).length === 0)) throw new SqlError('2202E', 'cannot accumulate empty arrays');
            if (items.some((v) => JSON.stringify(dimensions(v as Value[])) !== dims)) throw new SqlError('2202E', 'cannot accumulate arrays of different dimensionality');
            return items;
          },
        },
      };
    }
    return { args: [arg], folder: { type: arrayTypeOf(t), fold: (rows) => (rows.length ? rows.map((r) => r[0]) : null) } };
  }
  if (name === 'string_agg') {
    const ok = args.length === 2 && types.every((t) => isTextType(t) || t === 'unknown');
    const bytes = args.length === 2 && types[0] === 'bytea' && (types[1] === 'bytea' || types[1] === 'unknown');
    if (!ok && !bytes) throw noSuch(name, types);
    if (bytes) return { args: [args[0]!, retype(args[1]!, 'bytea')], folder: { type: 'bytea', fold: byteaAgg } };
    return {
      args: args.map((a) => retype(a, 'text')),
      folder: {
        type: 'text',
        fold: (rows) => {
          let out: string | null = null;
          for (const [v, sep] of rows) {
            if (v === null) continue;
            out = out === null ? (v as string) : out + (sep === null ? '' : (sep as string)) + (v as string);
          }
          return out;
        },
      },
    };
  }
  if (name === 'bool_and' || name === 'bool_or' || name === 'every') {
    if (args.length !== 1 || (types[0] !== 'bool' && types[0] !== 'unknown')) throw noSuch(name, types);
    const and = name !== 'bool_or';
    return {
      args: [retype(args[0]!, 'bool')],
      folder: {
        type: 'bool',
        fold: (rows) => {
          let out: Value = null;
          for (const [v] of rows) if (v !== null) out = out === null ? v : and ? (out as boolean) && (v as boolean) : (out as boolean) || (v as boolean);
          return out;
        },
      },
    };
  }
  if (name === 'json_agg' || name === 'jsonb_agg') {
    if (args.length !== 1) throw noSuch(name, types);
    // array_agg(anynonarray) and array_agg(anyarray) both take an untyped literal
    if (types[0] === 'unknown') {
      throw new SqlError('42725', 'function array_agg(unknown) is not unique', { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
    }
    const t = types[0]!;
    const json = name === 'json_agg';
    return {
      args,
      folder: {
        type: json ? 'json' : 'jsonb',
        fold: (rows) => {
          if (!rows.length) return null;
          // PostgreSQL starts each non-null array or row element after the first on a new line
          const newLine = isArrayType(t) || isRowType(t);
          const text = (v: Value, i: number): string => (i ? (newLine && v !== null ? ', \n ' : ', ') : '') + (toJsonText(v, t) ?? 'null');
          return json ? '[' + rows.map((r, i) => text(r[0], i)).join('') + ']' : rows.map((r) => nested(toJsonb(r[0], t)));
        },
      },
    };
  }
  if (name === 'json_object_agg' || name === 'jsonb_object_agg') {
    if (args.length !== 2) throw noSuch(name, types);
    const [kt, vt] = types.map((t) => (t === 'unknown' ? 'text' : t)) as [SqlType, SqlType];
    const json = name === 'json_object_agg';
    return {
      args,
      folder: {
        type: json ? 'json' : 'jsonb',
        fold: (rows) => {
          if (!rows.length) return null;
          const entries = rows.map(([k, v]) => {
            if (k === null) throw new SqlError(SQLSTATE.invalid_parameter_value, 'field name must not be null');
            return [typeof k === 'string' ? k : toText(k, kt), v] as const;
          });
          if (json) return '{ ' + entries.map(([k, v]) => `${JSON.stringify(k)} : ${toJsonText(v, vt) ?? 'null'}`).join(', ') + ' }';
          const o: Record<string, Value> = {};
          for (const [k, v] of entries) o[k] = nested(toJsonb(v, vt));
          return o;
        },
      },
    };
  }
  // count/sum/avg/min/max in ORDER BY form: the classic aggregate folds the sorted values
  if (args.length > 1) throw noSuch(name, types);
  const inner = makeAggregate(name, args[0]?.type, { star });
  return {
    args,
    folder: {
      type: inner.type,
      fold: (rows) => {
        let s = inner.init();
        for (const r of rows) s = inner.step(s, star ? 1 : r[0]);
        return inner.final(s);
      },
    },
  };
}

/**
 * array_agg, string_agg, bool_and/bool_or/every and the json aggregates over already compiled
 * arguments, as a window frame runs them (no aggregate ORDER BY or DISTINCT there): the argument
 * tuple to feed and the aggregate; undefined for any other name.
 */
export function tupleAggregate(name: string, args: readonly Expr[], star: boolean): { arg: Compiled; agg: Aggregate } | undefined {
  if (!EXTRA.has(name)) return undefined;
  const { folder: fold, args: typed } = folder(name, [...args], star);
  const evals = typed.map((c) => c.eval);
  const agg: Aggregate<Value[][]> = { type: fold.type, init: () => [], step: (s, v) => (s.push(v as Value[]), s), final: (s) => fold.fold(s) };
  return { arg: expr('unknown', (row, ctx) => evals.map((e) => e(row, ctx))), agg: agg as unknown as Aggregate };
}

/**
 * The compiled argument tuple and the aggregate for a call this module handles (an aggregate
 * ORDER BY, or one of array_agg, string_agg, bool_and, bool_or, every); undefined otherwise.
 */
export function orderedAggregate(f: FuncCall, name: string, input: Scope, compile: (n: Node, s: Scope) => Expr): { arg: Compiled; agg: Aggregate } | undefined {
  const order = (f.agg_order ?? []).map((s) => (s as { SortBy: SortBy }).SortBy);
  if (!order.length && !EXTRA.has(name)) return undefined;
  const argNodes = f.args ?? [];
  const { folder: fold, args } = folder(name, argNodes.map((a) => compile(a, input)), !!f.agg_star);
  if (f.agg_distinct) {
    const missing = order.find((o) => !argNodes.some((a) => sameExpr(a, o.node!)));
    if (missing) {
      throw new SqlError(SQLSTATE.invalid_column_reference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list');
    }
  }
  const keys = order.map((o) => compile(o.node!, input));
  const specs = order.map((o, i) => {
    if (o.sortby_dir === 'SORTBY_USING') throw new SqlError(SQLSTATE.feature_not_supported, 'ORDER BY … USING inside an aggregate call is not supported');
    const desc = o.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = o.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : o.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
    const compare: Comparator = comparatorFor(keys[i]!.type);
    return { desc, nullsFirst, compare };
  });
  const distinct = !!f.agg_distinct;
  // DISTINCT sorts by the arguments after the ORDER BY keys, as PostgreSQL adds them to the sort
  // list, so array_agg(DISTINCT x) comes out in x's order, not the rows' order
  if (distinct) for (const a of args) specs.push({ desc: false, nullsFirst: false, compare: comparatorFor(a.type) });
  const evals = [...args, ...keys, ...(distinct ? args : [])].map((c) => c.eval);
  const n = args.length;
  const tuple = expr('unknown', (row, ctx) => evals.map((e) => e(row, ctx)));
  const argKey = rowKeyFor(args.map((a) => a.type));
  const agg: Aggregate<Value[][]> = {
    type: fold.type,
    init: () => [],
    step: (s, v) => {
      s.push(v as Value[]);
      return s;
    },
    final: (s) => {
      let rows = s;
      if (specs.length) {
        // PostgreSQL's sort of the group's input decides which of two tied rows folds first
        rows = s.slice();
        pgQsort(rows, (a, b) => {
          for (let k = 0; k < specs.length; k++) {
            const sp = specs[k]!;
            const c = compareForSort(a[n + k], b[n + k], sp.desc, sp.nullsFirst, sp.compare);
            if (c) return c;
          }
          return 0;
        });
      }
      if (distinct) {
        const seen = new Set<string>();
        rows = rows.filter((r) => {
          if (r[0] === null && name !== 'array_agg') return false;
          const key = argKey(r);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      return fold.fold(rows);
    },
  };
  return { arg: tuple, agg: agg as unknown as Aggregate };
}
