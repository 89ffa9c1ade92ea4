/**
 * WITH RECURSIVE: a CTE of the form `non-recursive term UNION [ALL] recursive term` whose
 * recursive term reads the rows the previous step produced (the working table), run to a fixed
 * point as PostgreSQL runs it, with PostgreSQL's 42P19 checks on where the self-reference may
 * stand. An outer LIMIT stops the recursion once it has its rows, as PostgreSQL's lazy
 * executor does; a recursion that never ends otherwise runs in PostgreSQL until the statement is
 * cancelled, and here stops with 54000 once it has produced MAX_RECURSIVE_ROWS rows.
 */
import type { CommonTableExpr, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { castFunction } from '../cast.ts';
import type { ExecEnv, RunContext } from '../env.ts';
import { findAggregates } from '../group.ts';
import { commonType } from '../operators.ts';
import { planNode, type PlanNode } from '../plan/explain.ts';
import { count } from '../plan/explain-count.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { rowKeyFor } from '../types/bpchar.ts';

/** How many rows a recursive query may produce before it is stopped (PostgreSQL has no such bound). */
export const MAX_RECURSIVE_ROWS = 1_000_000;

export interface PlannedQuery {
  columns: { name: string; type: SqlType }[];
  node: PlanNode;
  run(ctx: RunContext, outer: readonly Value[] | undefined): Value[][];
}

export interface CteRows {
  name: string;
  columns: { name: string; type: SqlType }[];
  node: PlanNode;
  rows(ctx: RunContext): Value[][];
  /**
   * The rows one at a time as the recursion produces them, for a consumer that may stop early
   * (an outer LIMIT: stop-scan.ts), as PostgreSQL's executor pulls a recursive union lazily.
   */
  stream?(ctx: RunContext, emit: (row: readonly Value[]) => void): void;
}

const recursionError = (message: string) => new SqlError('42P19', message);

/** Where the query names `name` as a FROM item: at its own level, inside sub-selects, inside nested WITH queries. */
interface References {
  direct: number;
  nested: number;
  inWith: number;
}

function references(node: unknown, name: string, where: keyof References, out: References): void {
  if (!node || typeof node !== 'object') return;
  if ('RangeVar' in node) {
    const rv = (node as { RangeVar: { relname?: string; schemaname?: string } }).RangeVar;
    if (rv.relname === name && !rv.schemaname) out[where]++;
    return;
  }
  const inner: keyof References = where === 'inWith' || 'CommonTableExpr' in node ? 'inWith'
    : where === 'nested' || 'SubLink' in node || 'RangeSubselect' in node ? 'nested' : where;
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) for (const x of v) references(x, name, inner, out);
    else references(v, name, inner, out);
  }
}

function countReferences(node: unknown, name: string): References {
  const out = { direct: 0, nested: 0, inWith: 0 };
  references(node, name, 'direct', out);
  return out;
}

/** Whether the CTE refers to itself at all (a CTE under WITH RECURSIVE need not). */
export function isSelfReferencing(cte: CommonTableExpr): boolean {
  const refs = countReferences(cte.ctequery, cte.ctename!);
  return refs.direct + refs.nested + refs.inWith > 0;
}

/**
 * Plan a self-referencing CTE. `withWorkingTable` plans its argument with `name` resolving to the
 * given working table; `plan` plans a SELECT as usual.
 */
export function planRecursive(
  cte: CommonTableExpr,
  aliases: readonly string[],
  plan: (stmt: SelectStmt) => PlannedQuery,
  withWorkingTable: <T>(table: CteRows, body: () => T) => T,
): CteRows {
  const name = cte.ctename!;
  if (cte.search_clause || cte.cycle_clause) throw new SqlError(SQLSTATE.feature_not_supported, 'SEARCH and CYCLE clauses of recursive queries are not supported');
  const stmt = (cte.ctequery as { SelectStmt: SelectStmt }).SelectStmt;
  if (stmt.op !== 'SETOP_UNION') {
    throw recursionError(`recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`);
  }
  if (stmt.sortClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'ORDER BY in a recursive query is not implemented');
  if (stmt.limitOffset) throw new SqlError(SQLSTATE.feature_not_supported, 'OFFSET in a recursive query is not implemented');
  if (stmt.limitCount) throw new SqlError(SQLSTATE.feature_not_supported, 'LIMIT in a recursive query is not implemented');
  const nonRecursive = stmt.larg!, recursive = stmt.rarg!;
  if (isSelfReferencing({ ...cte, ctequery: { SelectStmt: nonRecursive } })) {
    throw recursionError(`recursive reference to query "${name}" must not appear within its non-recursive term`);
  }
  const refs = countReferences(recursive, name);
  if (refs.nested) throw recursionError(`recursive reference to query "${name}" must not appear within a subquery`);
  // a WITH query inside the recursive term would be computed once for all steps here, so it is refused rather than misread
  if (refs.inWith) throw new SqlError(SQLSTATE.feature_not_supported, `recursive reference to query "${name}" inside a WITH query of its recursive term is not supported`);
  if (refs.direct > 1) throw recursionError(`recursive reference to query "${name}" must not appear more than once`);
  const term = recursive;
  if ((term.targetList ?? []).some((t) => findAggregates(t).length) || (term.havingClause && findAggregates(term.havingClause).length)) {
    throw recursionError('aggregate functions are not allowed in a recursive query\'s recursive term');
  }

  const base = plan(nonRecursive);
  if (aliases.length > base.columns.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `WITH query "${name}" has ${base.columns.length} columns available but ${aliases.length} columns specified`);
  }
  const columns = base.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type === 'unknown' ? 'text' as const : c.type }));
  let working: Value[][] = [];
  const workNode = planNode(`WorkTable Scan on ${name}`);
  const table: CteRows = { name, columns, node: workNode, rows: () => { count(workNode, working.length); return working.slice(); } };
  const step = withWorkingTable(table, () => plan(recursive));
  if (step.columns.length !== columns.length) throw new SqlError(SQLSTATE.syntax_error, 'each UNION query must have the same number of columns');
  const casts = step.columns.map((c, i) => {
    const want = columns[i]!.type;
    if (c.type === want) return undefined;
    const common = commonType([want, c.type], 'UNION');
    if (common !== want) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `recursive query "${name}" column ${i + 1} has type ${TYPE_NAME[want]} in non-recursive term but type ${TYPE_NAME[common]} overall`, {
        hint: 'Cast the output of the non-recursive term to the correct type.',
      });
    }
    return castFunction(c.type, want, -1, false);
  });
  const convert = (rows: Value[][]) => (casts.every((c) => !c) ? rows : rows.map((r) => r.map((v, i) => (casts[i] ? casts[i]!(v) : v))));
  const distinct = !stmt.all;
  const union = planNode('Recursive Union', [base.node, step.node]);
  const results = new WeakMap<ExecEnv, Value[][]>();

  /** Run the recursion to its fixed point, handing each row on as its step produces it. */
  const recurse = (ctx: RunContext, emit: (row: readonly Value[]) => void): void => {
    const seen = new Set<string>();
    const rowKey = rowKeyFor(columns.map((c) => c.type));
    const keep = (rows: Value[][]): Value[][] => {
      if (!distinct) return rows;
      return rows.filter((r) => {
        const k = rowKey(r);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    };
    let produced = 0;
    let next = keep(base.run(ctx, undefined));
    const saved = working;
    try {
      count(union, 0);
      while (next.length) {
        for (const r of next) {
          if (++produced > MAX_RECURSIVE_ROWS) {
            throw new SqlError(SQLSTATE.program_limit_exceeded, `recursive query "${name}" produced more than ${MAX_RECURSIVE_ROWS} rows`, {
              hint: 'PostgreSQL would run it until cancelled: check its recursive term for a condition that ends it.',
            });
          }
          emit(r);
        }
        working = next;
        next = keep(convert(step.run(ctx, undefined)));
      }
    } finally {
      working = saved;
      // the rows handed on, which a LIMIT may cut short
      union.rows += produced;
    }
  };

  return {
    name,
    columns,
    node: union,
    rows(ctx) {
      const done = results.get(ctx.env);
      if (done) return done.slice();
      const out: Value[][] = [];
      recurse(ctx, (r) => out.push(r as Value[]));
      results.set(ctx.env, out);
      return out.slice();
    },
    stream(ctx, emit) {
      const done = results.get(ctx.env);
      if (done) for (const r of done) emit(r);
      else recurse(ctx, emit);
    },
  };
}

