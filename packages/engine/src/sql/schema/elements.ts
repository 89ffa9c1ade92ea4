/**
 * The elements of CREATE SCHEMA name CREATE TABLE … CREATE VIEW … (PostgreSQL's
 * transformCreateSchemaStmt and CreateSchemaCommand): each element's relation is put in the new
 * schema (naming another is 42P15), the elements run in PostgreSQL's order — sequences, tables,
 * views, indexes, triggers, grants — and while they run the new schema is the front of the
 * search_path, so `REFERENCES pk` or `PARTITION OF pk` finds the schema's own pk. Each element is
 * planned once the ones before it have run (they name each other) and writes its own WAL records.
 */
import type { Node, RangeVar } from '@pgsql/types';
import { SqlError } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import type { StatementPlan } from '../plan.ts';

/** Plans one element against the transaction's catalog with `path` as the search_path. */
export type PlanElement = (stmt: Node, state: DbState, path: readonly string[]) => StatementPlan;

const ORDER = ['CreateSeqStmt', 'CreateStmt', 'ViewStmt', 'IndexStmt', 'CreateTrigStmt', 'GrantStmt'];

/** The relation an element creates or names, which belongs to the schema being created. */
function relationOf(stmt: Node): RangeVar | undefined {
  if ('CreateSeqStmt' in stmt) return stmt.CreateSeqStmt.sequence;
  if ('CreateStmt' in stmt) return stmt.CreateStmt.relation;
  if ('ViewStmt' in stmt) return stmt.ViewStmt.view;
  if ('IndexStmt' in stmt) return stmt.IndexStmt.relation;
  if ('CreateTrigStmt' in stmt) return stmt.CreateTrigStmt.relation;
  return undefined;
}

/** The elements as they run: in the schema, in PostgreSQL's order (stable within a kind). */
export function schemaElements(schema: string, elements: readonly Node[]): Node[] {
  const out = elements.map((e) => structuredClone(e));
  for (const e of out) {
    const rel = relationOf(e);
    if (!rel) continue;
    if (rel.schemaname === undefined) rel.schemaname = schema;
    else if (rel.schemaname !== schema) throw new SqlError('42P15', `CREATE specifies a schema (${rel.schemaname}) different from the one being created (${schema})`);
  }
  const rank = (e: Node) => ORDER.indexOf(Object.keys(e)[0]!);
  return out.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map((x) => x.e);
}

/** Runs the elements after the schema was created, with the schema in front of `path`. */
export function runSchemaElements(ctx: RunContext, schema: string, elements: readonly Node[], path: readonly string[], planElement: PlanElement): void {
  const inSchema = [schema, ...path.filter((p) => p !== schema)];
  for (const element of schemaElements(schema, elements)) planElement(element, ctx.env.txn!.state, inSchema).run(ctx);
}
