/**
 * A SQL function's body, planned where the function is called. Its parameters are the columns
 * of an enclosing row, as a correlated sub-select sees its outer query: a name the body's own
 * FROM items have wins over a parameter of that name (PostgreSQL's rule), `f.a` names parameter
 * `a` of function `f`, and `$n` is rewritten to the n-th of them.
 */
import type { SelectStmt } from '@pgsql/types';
import type { FunctionDef } from '../../catalog/types.ts';
import { featureNotSupported, SqlError } from '../../errors.ts';
import { assignable, castFunction } from '../cast.ts';
import { RowScope } from '../from.ts';
import type { RunContext } from '../env.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import type { FunctionCatalog } from './context.ts';
import { inputParams } from './resolve.ts';

/** The FROM-entry name `$n` is rewritten to: not an identifier a user can write unquoted. */
const POSITIONAL = '$';

export interface PlannedBody {
  /** The result columns (one for a scalar function). */
  columns: { name: string; type: SqlType }[];
  /** Every statement in turn; the rows of the last, converted to the declared result types. */
  run(args: readonly Value[], ctx: RunContext): Value[][];
}

/** `$n` → a column of the parameters' row; a number past the last parameter is PostgreSQL's 42P02. */
function rewriteParams(node: unknown, count: number): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteParams(n, count));
  if (!node || typeof node !== 'object') return node;
  if ('ParamRef' in node) {
    const ref = (node as { ParamRef: { number?: number; location?: number } }).ParamRef;
    const n = ref.number ?? 0;
    if (n < 1 || n > count) throw new SqlError('42P02', `there is no parameter $${n}`);
    return { ColumnRef: { fields: [{ String: { sval: POSITIONAL } }, { String: { sval: String(n) } }], location: ref.location } };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewriteParams(v, count)]));
}

/** The statements of the body that are queries; anything else is refused by name. */
function queries(def: FunctionDef): SelectStmt[] {
  return def.body.map((s) => {
    if ('SelectStmt' in s && !s.SelectStmt.intoClause) return s.SelectStmt;
    const kind = Object.keys(s)[0]!.replace(/Stmt$/, '').toUpperCase();
    throw featureNotSupported(`${kind} in the body of a SQL function`);
  });
}

function mismatch(def: FunctionDef, detail: string): SqlError {
  return new SqlError('42P13', `return type mismatch in function declared to return ${TYPE_NAME[def.returns as SqlType] ?? def.returns}`, { detail });
}

/** The columns the function returns: its OUT/TABLE parameters, or one column of its result type. */
export function resultColumns(def: FunctionDef): { name: string; type: SqlType }[] {
  if (def.columns) return def.columns;
  return def.returns === 'void' ? [] : [{ name: def.name, type: def.returns }];
}

const planning = new Set<number>();

export function planBody(def: FunctionDef, catalog: FunctionCatalog): PlannedBody {
  if (planning.has(def.oid)) throw featureNotSupported(`recursive call of SQL function ${def.name}`);
  planning.add(def.oid);
  try {
    const inputs = inputParams(def);
    const planner = catalog.planner();
    const params = new RowScope([
      { alias: def.name, columns: inputs.map((p) => ({ name: p.name ?? '', type: p.type })), offset: 0 },
      { alias: POSITIONAL, columns: inputs.map((p, i) => ({ name: String(i + 1), type: p.type })), offset: 0 },
    ], inputs.length, planner);
    const plans = queries(def).map((q) => planner.plan(rewriteParams(q, inputs.length) as SelectStmt, params));
    const last = plans[plans.length - 1];
    const wanted = resultColumns(def);
    if (def.returns === 'void') {
      return { columns: [], run: (args, ctx) => { for (const p of plans) p.run(ctx, args); return []; } };
    }
    if (!last) throw mismatch(def, 'Function\'s final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING.');
    if (last.columns.length !== wanted.length) {
      throw mismatch(def, wanted.length === 1 ? 'Final statement must return exactly one column.' : 'Final statement returns too many columns.');
    }
    const casts = last.columns.map((c, i) => {
      const to = wanted[i]!.type;
      if (c.type !== 'unknown' && !assignable(c.type, to)) {
        throw mismatch(def, wanted.length === 1 ? `Actual return type is ${TYPE_NAME[c.type]}.` : `Final statement returns ${TYPE_NAME[c.type]} instead of ${TYPE_NAME[to]} at column ${i + 1}.`);
      }
      return c.type === to ? undefined : castFunction(c.type, to, -1, false);
    });
    const convert = (row: Value[]): Value[] => row.map((v, i) => (casts[i] && v !== null ? casts[i]!(v) : v));
    return {
      columns: wanted,
      run(args, ctx) {
        for (let i = 0; i < plans.length - 1; i++) plans[i]!.run(ctx, args);
        const rows = last.run(ctx, args);
        return def.setof ? rows.map(convert) : rows.slice(0, 1).map(convert);
      },
    };
  } finally {
    planning.delete(def.oid);
  }
}
