/**
 * MERGE's WHEN clauses compiled over the joined row (the target's columns, then the source's):
 * each clause's condition and its action — UPDATE SET, DELETE, INSERT [(cols)] VALUES | DEFAULT
 * VALUES, DO NOTHING. A NOT MATCHED clause sees only the source, as in PostgreSQL.
 */
import type { MergeWhenClause, Node } from '@pgsql/types';
import type { TableDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { checkAssignable, coerceToColumn } from '../cast.ts';
import { applySets, assignedFrom, compileSets, insertTargets } from '../dml.ts';
import type { RunContext } from '../env.ts';
import { compileExpr, compilePredicate } from '../expr.ts';
import { pos, RowScope, type RangeEntry } from '../from.ts';
import { checkInsertValue } from '../generated.ts';
import type { Compiled, Slot } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';

export type WhenAction =
  | { kind: 'update'; matched: true; cond?: Compiled; apply(joined: readonly Value[], old: readonly Value[], ctx: RunContext): Value[] }
  | { kind: 'delete'; matched: true; cond?: Compiled }
  | { kind: 'nothing'; matched: boolean; cond?: Compiled }
  | { kind: 'insert'; matched: false; cond?: Compiled; row(joined: readonly Value[], ctx: RunContext): Value[] };

/** A scope over the source alone, naming the hidden target in PostgreSQL's words. */
class SourceScope extends RowScope {
  constructor(entries: RangeEntry[], width: number, planner: RowScope['planner'], private readonly target: string) {
    super(entries, width, planner);
  }

  override column(fields: readonly string[], location?: number): Slot {
    if (fields.length >= 2 && fields[fields.length - 2] === this.target && !this.entries.some((e) => e.alias === this.target)) {
      throw new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${this.target}"`, {
        position: pos(location),
        detail: `There is an entry for table "${this.target}", but it cannot be referenced from this part of the query.`,
      });
    }
    return super.column(fields, location);
  }
}

/** PostgreSQL's parse-time rule: nothing may follow an unconditional clause of the same kind. */
export function checkReachable(clauses: readonly MergeWhenClause[]): void {
  const terminal = { matched: false, notMatched: false };
  for (const c of clauses) {
    if (c.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE') throw new SqlError(SQLSTATE.syntax_error, 'syntax error at or near "by"');
    const key = c.matchKind === 'MERGE_WHEN_MATCHED' ? 'matched' : 'notMatched';
    if (terminal[key]) throw new SqlError(SQLSTATE.syntax_error, 'unreachable WHEN clause specified after unconditional WHEN clause');
    if (!c.condition) terminal[key] = true;
  }
}

/**
 * `scope`: target entry at slot 0, source entries after it. `defaults`: per target column, its
 * DEFAULT expression compiled once for every INSERT action.
 */
export function compileWhen(clause: MergeWhenClause, def: TableDef, scope: RowScope, targetAlias: string, defaults: readonly (Compiled | undefined)[]): WhenAction {
  const matched = clause.matchKind === 'MERGE_WHEN_MATCHED';
  const own = matched ? scope : new SourceScope(scope.entries.slice(1), scope.width, scope.planner, targetAlias);
  own.clause = 'WHEN';
  const cond = clause.condition ? compilePredicate(clause.condition, own) : undefined;
  own.clause = undefined;
  switch (clause.commandType) {
    case 'CMD_NOTHING':
      return { kind: 'nothing', matched, cond };
    case 'CMD_DELETE':
      return { kind: 'delete', matched: true, cond };
    case 'CMD_UPDATE': {
      const sets = compileSets(clause.targetList, def, own);
      return { kind: 'update', matched: true, cond, apply: (joined, old, ctx) => applySets(sets, def, joined, old, ctx) };
    }
    case 'CMD_INSERT':
      return { kind: 'insert', matched: false, cond, row: compileInsert(clause, def, own, defaults) };
    default:
      throw new SqlError(SQLSTATE.feature_not_supported, `MERGE action ${clause.commandType} is not supported`);
  }
}

function compileInsert(clause: MergeWhenClause, def: TableDef, scope: RowScope, defaults: readonly (Compiled | undefined)[]) {
  const targets = insertTargets(def, clause.targetList);
  const columns = targets.length ? targets : def.columns.map((_, i) => i);
  const systemOverride = clause.override === 'OVERRIDING_SYSTEM_VALUE', userOverride = clause.override === 'OVERRIDING_USER_VALUE';
  const items: readonly Node[] = clause.values ?? [];
  if (items.length > columns.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more expressions than target columns', { position: pos(location(items[columns.length]!)) });
  if (clause.values && items.length < columns.length && targets.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more target columns than expressions');
  scope.clause = 'VALUES';
  const values = items.map((item, k) => {
    if ('SetToDefault' in item) return undefined;
    const col = def.columns[columns[k]!]!;
    if (!userOverride || !col.identity) checkInsertValue(col, systemOverride);
    scope.paramType = () => col.type;
    const c = compileExpr(item, scope);
    checkAssignable(c.type, col.type, col.name);
    return { c, from: assignedFrom(item, c) as SqlType | undefined };
  });
  scope.paramType = undefined;
  scope.clause = undefined;
  // OVERRIDING USER VALUE: identity columns take their default whatever the clause gives
  const ignored = new Set(userOverride ? columns.filter((ci) => def.columns[ci]!.identity) : []);
  const width = def.columns.length;
  return (joined: readonly Value[], ctx: RunContext): Value[] => {
    const row: Value[] = new Array(width).fill(null);
    const provided = new Array<boolean>(width).fill(false);
    for (let k = 0; k < values.length; k++) {
      const ci = columns[k]!;
      const v = values[k];
      if (!v || ignored.has(ci)) continue;
      const col = def.columns[ci]!;
      row[ci] = coerceToColumn(v.c.eval(joined, ctx), col.type, col.typmod, v.from);
      provided[ci] = true;
    }
    for (let i = 0; i < width; i++) {
      const d = defaults[i];
      if (!provided[i] && d) row[i] = coerceToColumn(d.eval(NO_ROW, ctx), def.columns[i]!.type, def.columns[i]!.typmod);
    }
    return row;
  };
}

const NO_ROW: Value[] = [];

function location(node: Node): number | undefined {
  return (Object.values(node)[0] as { location?: number } | undefined)?.location;
}
