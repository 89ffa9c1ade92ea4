/**
 * From parsed statement to plan: dispatch on the statement kind, cache plans by SQL text and
 * catalog version, and provide the functions that need the database (nextval, currval, setval)
 * or the node (pg_current_wal_lsn, pg_is_in_recovery, …) to the expression compiler.
 */
import { withFolding } from './fold/fold.ts';
import { callsNotify, pgNotify, planNotify } from './notify.ts';
import { parameterFunction } from './functions/parameters.ts';
import { withParameterFolds } from './fold/params.ts';
import type { Node, SelectStmt, WithClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import { planAlterTable, planCreateIndex, planCreateTable, planDrop, planRename } from './ddl.ts';
import { planSetSchema } from './rename.ts';
import { planDelete, planInsert, planUpdate } from './dml.ts';
import type { NodeHooks, RunContext } from './env.ts';
import type { StatementPlan } from './plan.ts';
import type { Compiled } from './scope.ts';
import { SelectPlanner } from './select.ts';
import { castFunction } from './cast.ts';
import { currval, lastval, nextval, serialSequence, setval } from './sequence/functions.ts';
import { planAlterSequence, planCreateSequence } from './sequence/ddl.ts';
import { planCreateView } from './view/ddl.ts';
import { planCreateTableAs } from './create-as.ts';
import { planExplain } from './plan/explain-statement.ts';
import { BoundedCache, estimateBytes } from './cache.ts';
import { planTruncate } from './truncate.ts';
import { planLogical } from '../logical/statements.ts';
import { planAlterEnum, planCreateEnum, planDropType } from './enum-ddl.ts';
import { planAlterComposite, planCompositeOwner, planCreateComposite, planRenameComposite } from './composite/ddl.ts';
import { withEnumTypes } from './types/enum.ts';
import { lockingStrength } from './locking.ts';
import { withModifyingCtes } from './cte/modifying.ts';
import type { Value } from './types.ts';
import { planCreateSchema, planDropSchema } from './schema/ddl.ts';
import { resolveSchemas } from './schema/resolve.ts';
import { planMerge } from './merge/plan.ts';
import { tempStatement } from './temp-tables.ts';
import { planViewDelete, planViewInsert, planViewUpdate } from './view/dml.ts';
import { planVacuum } from './vacuum.ts';
import { withFunctionCatalog } from './function/context.ts';
import { withDomains } from './types/domain-catalog.ts';
import { regclassPath, withRegclassPath } from './types/oid.ts';
import { planComment } from './comment/comment.ts';
import { descriptionFunction } from './comment/describe.ts';
import { planAlterDomain, planCreateDomain, planDropDomain } from './types/domain-ddl.ts';
import { planCreateFunction, planDropFunction } from './function/ddl.ts';
import { planCall } from './function/procedure.ts';

export function planStatement(stmt: Node, state: DbState, hooks: NodeHooks): StatementPlan {
  // type names resolve against this state's enum types, and calls against its SQL functions, while the statement compiles
  const catalog = { state, planner: () => new SelectPlanner(state, hooks, (name, args) => databaseFunction(name, args, hooks)), planStatement: (s: Node) => planStatement(s, state, hooks) };
  return withFunctionCatalog(catalog, () => withDomains(state.domains, () => withEnumTypes(state.types, state.typeNames, () => tempStatement(stmt, planAnyStatement(stmt, state, hooks)))));
}

function planAnyStatement(stmt: Node, state: DbState, hooks: NodeHooks): StatementPlan {
  const query = ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'ExplainStmt', 'CreateTableAsStmt'].includes(Object.keys(stmt)[0]!);
  return query ? withParameterFolds(() => withFolding(() => planQueryStatement(stmt, state, hooks))) : planQueryStatement(stmt, state, hooks);
}

function planQueryStatement(stmt: Node, state: DbState, hooks: NodeHooks): StatementPlan {
  const planner = new SelectPlanner(state, hooks, (name, args) => databaseFunction(name, args, hooks));
  const top = (Object.values(stmt)[0] as { withClause?: WithClause }).withClause;
  if (top) {
    planner.topLevel = { clause: top, planDml: (s) => planStatementWith(s, state, hooks, planner) };
    const plan = planStatementWith(stmt, state, hooks, planner);
    return planner.modifyingCtes.length ? withModifyingCtes(plan, planner.modifyingCtes) : plan;
  }
  return planStatementWith(stmt, state, hooks, planner);
}

function planStatementWith(stmt: Node, state: DbState, hooks: NodeHooks, planner: SelectPlanner): StatementPlan {
  const withQueries = <S extends { withClause?: WithClause }>(s: S, plan: (s: S) => StatementPlan): StatementPlan =>
    (s.withClause ? planner.withQueries(s.withClause, () => plan(s)) : plan(s));
  if ('SelectStmt' in stmt && stmt.SelectStmt.intoClause) {
    return planCreateTableAs({ ...stmt.SelectStmt, intoClause: undefined }, stmt.SelectStmt.intoClause, planner);
  }
  if ('CreateTableAsStmt' in stmt) {
    const s = stmt.CreateTableAsStmt;
    if (s.objtype !== 'OBJECT_TABLE') throw new SqlError(SQLSTATE.feature_not_supported, 'materialized views are not supported');
    if (!s.query || !('SelectStmt' in s.query)) throw new SqlError(SQLSTATE.feature_not_supported, 'CREATE TABLE … AS EXECUTE is not supported');
    return planCreateTableAs((s.query as { SelectStmt: SelectStmt }).SelectStmt, s.into!, planner, !!s.if_not_exists);
  }
  if ('SelectStmt' in stmt) {
    const plan = planner.plan(stmt.SelectStmt);
    // a locking SELECT (FOR UPDATE, …) counts as a write, as PostgreSQL refuses it where writes are refused
    const locking = lockingStrength(stmt.SelectStmt);
    // an untyped literal in the select list comes out as text, as PostgreSQL resolves it (resolveTargetListUnknowns)
    const columns = plan.columns.map((c) => (c.type === 'unknown' ? { ...c, type: 'text' as const } : c));
    // a SELECT calling pg_notify writes (a NOTIFY record in its transaction)
    const notifies = !locking && callsNotify(stmt);
    return { command: 'SELECT', columns, writes: locking !== undefined || notifies, writeName: locking ? `SELECT ${locking}` : notifies ? 'NOTIFY' : undefined, run: (ctx) => { const rows = plan.run(ctx, undefined); return { rows, rowCount: rows.length }; } };
  }
  if ('ExplainStmt' in stmt) return planExplain(stmt.ExplainStmt, planner, state);
  // WITH in front of INSERT/UPDATE/DELETE: read-only queries their SELECTs, FROM items and sub-selects see
  if ('InsertStmt' in stmt) return withQueries(stmt.InsertStmt, (s) => planViewInsert(s, state, planner) ?? planInsert(s, state, planner));
  if ('UpdateStmt' in stmt) return withQueries(stmt.UpdateStmt, (s) => planViewUpdate(s, state, planner) ?? planUpdate(s, state, planner));
  if ('DeleteStmt' in stmt) return withQueries(stmt.DeleteStmt, (s) => planViewDelete(s, state, planner) ?? planDelete(s, state, planner));
  if ('MergeStmt' in stmt) return withQueries(stmt.MergeStmt, (s) => planMerge(s, state, planner));
  if ('CreateStmt' in stmt) return planCreateTable(stmt.CreateStmt, planner);
  if ('IndexStmt' in stmt) return planCreateIndex(stmt.IndexStmt);
  if ('NotifyStmt' in stmt) return planNotify(stmt.NotifyStmt);
  const logical = planLogical(stmt);
  if (logical) return logical;
  if ('DropStmt' in stmt && stmt.DropStmt.removeType === 'OBJECT_TYPE') return planDropType(stmt.DropStmt);
  if ('DropStmt' in stmt && ['OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_ROUTINE'].includes(stmt.DropStmt.removeType!)) return planDropFunction(stmt.DropStmt);
  if ('CreateFunctionStmt' in stmt) return planCreateFunction(stmt.CreateFunctionStmt);
  if ('CreateDomainStmt' in stmt) return planCreateDomain(stmt.CreateDomainStmt);
  if ('AlterDomainStmt' in stmt) return planAlterDomain(stmt.AlterDomainStmt);
  if ('DropStmt' in stmt && stmt.DropStmt.removeType === 'OBJECT_DOMAIN') return planDropDomain(stmt.DropStmt);
  if ('CallStmt' in stmt) return planCall(stmt.CallStmt);
  if ('DropStmt' in stmt && stmt.DropStmt.removeType === 'OBJECT_SCHEMA') return planDropSchema(stmt.DropStmt, planDrop, planDropType);
  if ('CreateSchemaStmt' in stmt) {
    return planCreateSchema(stmt.CreateSchemaStmt, regclassPath(), (s, st, path) => withRegclassPath(path, () => planStatement(resolveSchemas(s, st, path), st, hooks)));
  }
  if ('DropStmt' in stmt) return planDrop(stmt.DropStmt);
  if ('CreateEnumStmt' in stmt) return planCreateEnum(stmt.CreateEnumStmt);
  if ('CompositeTypeStmt' in stmt) return planCreateComposite(stmt.CompositeTypeStmt);
  if ('AlterTableStmt' in stmt && stmt.AlterTableStmt.objtype === 'OBJECT_TYPE') return planAlterComposite(stmt.AlterTableStmt);
  if ('RenameStmt' in stmt) { const p = planRenameComposite(stmt.RenameStmt); if (p) return p; }
  if ('AlterOwnerStmt' in stmt) { const p = planCompositeOwner(stmt.AlterOwnerStmt); if (p) return p; }
  if ('AlterEnumStmt' in stmt) return planAlterEnum(stmt.AlterEnumStmt);
  if ('RenameStmt' in stmt) return planRename(stmt.RenameStmt);
  if ('AlterObjectSchemaStmt' in stmt) return planSetSchema(stmt.AlterObjectSchemaStmt);
  if ('AlterTableStmt' in stmt) return planAlterTable(stmt.AlterTableStmt, planner);
  if ('TruncateStmt' in stmt) return planTruncate(stmt.TruncateStmt);
  if ('ViewStmt' in stmt) return planCreateView(stmt.ViewStmt, planner, state);
  if ('CreateSeqStmt' in stmt) return planCreateSequence(stmt.CreateSeqStmt);
  if ('AlterSeqStmt' in stmt) return planAlterSequence(stmt.AlterSeqStmt);
  if ('VacuumStmt' in stmt) return planVacuum(stmt.VacuumStmt);
  if ('CommentStmt' in stmt) return planComment(stmt.CommentStmt, state);
  throw new SqlError(SQLSTATE.feature_not_supported, `${statementName(Object.keys(stmt)[0]!)} is not supported`);
}

/** The SQL words for a parse-tree statement kind, so a 0A000 names what the user wrote. */
const STATEMENT_NAMES: Record<string, string> = {
  ViewStmt: 'CREATE VIEW', TruncateStmt: 'TRUNCATE', CreateSeqStmt: 'CREATE SEQUENCE', AlterSeqStmt: 'ALTER SEQUENCE',
  CreateSchemaStmt: 'CREATE SCHEMA', CreateFunctionStmt: 'CREATE FUNCTION', CreateTrigStmt: 'CREATE TRIGGER',
  CreateTableAsStmt: 'CREATE TABLE AS', CopyStmt: 'COPY', VacuumStmt: 'VACUUM',
  GrantStmt: 'GRANT', VariableSetStmt: 'SET', VariableShowStmt: 'SHOW', PrepareStmt: 'PREPARE', ExecuteStmt: 'EXECUTE',
  CreateExtensionStmt: 'CREATE EXTENSION', CommentStmt: 'COMMENT', LockStmt: 'LOCK', DoStmt: 'DO', CallStmt: 'CALL',
};

function statementName(kind: string): string {
  return STATEMENT_NAMES[kind] ?? `statement ${kind.replace(/Stmt$/, '')}`;
}

/**
 * Plans cached by SQL text, bounded by count and estimated bytes (least recently used out first);
 * a plan is reused only against the catalog version it was made for.
 */
export class PlanCache {
  readonly plans = new BoundedCache<{ version: number; plan: StatementPlan }>(1000, 32 * 1024 * 1024);

  /** `searchPath`: the session's schemas for unqualified names (sql/schema/resolve.ts); plans are cached per path. */
  get(text: string, stmt: Node, state: DbState, hooks: NodeHooks, searchPath: readonly string[] = ['public']): StatementPlan {
    const key = searchPath.length === 1 && searchPath[0] === 'public' ? text : `${searchPath.join(',')}\0${text}`;
    const hit = this.plans.get(key);
    if (hit && hit.version === state.catalogVersion) return hit.plan;
    const plan = withRegclassPath(searchPath, () => planStatement(resolveSchemas(stmt, state, searchPath), state, hooks));
    // DDL runs against whatever catalog the transaction has: nothing to gain from caching it
    if (plan.columns.length || !isDdl(plan.command)) this.plans.set(key, { version: state.catalogVersion, plan }, estimateBytes(text));
    return plan;
  }
}

function isDdl(command: string): boolean {
  return /^(CREATE|DROP|ALTER)/.test(command);
}

function sequenceOf(ctx: RunContext, name: Value) {
  const state = ctx.env.state;
  const key = String(name).replace(/^public\./, '');
  const oid = state.sequenceNames.get(key);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${key}" does not exist`);
  return state.sequences.get(oid)!;
}

/** Sequence functions and the node's system functions, as Compiled closures. */
function databaseFunction(name: string, args: Compiled[], hooks: NodeHooks): Compiled | undefined {
  switch (name) {
    case 'pg_notify':
      return pgNotify(args);
    case 'set_config':
    case 'current_setting':
      return parameterFunction(name, args);
    case 'nextval':
      return {
        type: 'int8',
        eval: (row, c) => {
          const ctx = c as RunContext;
          const seqName = args[0]!.eval(row, ctx);
          if (ctx.env.hooks.readOnly()) throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute nextval() in a read-only transaction');
          return nextval(sequenceOf(ctx, seqName), ctx);
        },
      };
    case 'currval':
      return {
        type: 'int8',
        eval: (row, c) => {
          const ctx = c as RunContext;
          const seqName = args[0]!.eval(row, ctx);
          return currval(sequenceOf(ctx, seqName), ctx);
        },
      };
    case 'obj_description':
    case 'col_description':
      return descriptionFunction(name, args);
    case 'pg_get_serial_sequence':
      if (args.length !== 2) return undefined;
      return { type: 'text', eval: (row, c) => serialSequence(c as RunContext, args[0]!.eval(row, c), args[1]!.eval(row, c)) };
    case 'lastval':
      if (args.length) return undefined;
      return { type: 'int8', eval: (_row, c) => lastval(c as RunContext) };
    case 'setval': {
      const toInt8 = castFunction(args[1]?.type ?? 'int8', 'int8', -1, false);
      return {
        type: 'int8',
        eval: (row, c) => {
          const ctx = c as RunContext;
          if (ctx.env.hooks.readOnly()) throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute setval() in a read-only transaction');
          const seq = sequenceOf(ctx, args[0]!.eval(row, ctx));
          const value = toInt8(args[1]!.eval(row, ctx)) as number | bigint;
          return setval(seq, value, args[2] ? args[2].eval(row, ctx) !== false : true, ctx);
        },
      };
    }
  }
  const type = hooks.systemFunctionType(name);
  if (type === undefined) return undefined;
  return {
    type,
    eval: (row, c) => {
      const ctx = c as RunContext;
      const fn = ctx.env.hooks.systemFunction(name)!;
      return fn(args.map((a) => a.eval(row, ctx)), ctx.env);
    },
  };
}
