/**
 * Calls of SQL functions in expressions (`f(1, b => 'x')`) and in FROM (`FROM f(1) AS t`): the
 * overload is resolved (function/resolve.ts), omitted arguments take their DEFAULTs, a STRICT
 * function of a NULL argument is NULL without running, and an IMMUTABLE call of constants is
 * folded once, as PostgreSQL's planner does.
 */
import type { FuncCall, Node } from '@pgsql/types';
import type { FunctionDef } from '../../catalog/types.ts';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import type { RunContext } from '../env.ts';
import { foldConstant } from '../fold/fold.ts';
import { strings } from '../names.ts';
import type { EvalContext, Scope } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';
import { planBody, type PlannedBody } from './body.ts';
import { functionCatalog, functionsNamed } from './context.ts';
import { callSignature, inputParams, resolveCall, type CallArg, type Match } from './resolve.ts';

type Compile = (node: Node, scope: Scope) => Expr;

/** The function's own name when the call may name a SQL function (unqualified or public.), else undefined. */
function ownName(call: FuncCall): string | undefined {
  const parts = strings(call.funcname);
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) return undefined;
  return parts[parts.length - 1];
}

export function compileCallArgs(call: FuncCall, scope: Scope, compile: Compile): CallArg[] {
  return (call.args ?? []).map((a) => ('NamedArgExpr' in a
    ? { name: a.NamedArgExpr.name!, expr: compile(a.NamedArgExpr.arg!, scope) }
    : { expr: compile(a, scope) }));
}

/** The argument evaluators of a resolved call, DEFAULTs compiled where they are used. */
function argumentEvaluators(match: Match, scope: Scope, compile: Compile): ((row: readonly Value[], ctx: EvalContext) => Value)[] {
  const inputs = inputParams(match.def);
  return match.args.map((a, i) => (a ?? retype(compile(inputs[i]!.default!, scope), inputs[i]!.type)).eval);
}

interface ResolvedCall {
  match: Match;
  body: PlannedBody;
  /** The arguments for one input row. */
  args(row: readonly Value[], ctx: EvalContext): Value[];
  /** The call's result rows for one input row (NULL arguments of a STRICT function: none). */
  rows(row: readonly Value[], ctx: EvalContext): Value[][] | undefined;
  constant: boolean;
}

function resolveUserCall(call: FuncCall, scope: Scope, compile: Compile, kind: 'f' | 'p'): ResolvedCall | undefined {
  const catalog = functionCatalog();
  const name = ownName(call);
  if (!catalog || name === undefined) return undefined;
  const candidates = functionsNamed(catalog.state, name, kind);
  if (!candidates.length) {
    wrongKind(call, scope, compile, name, kind);
    return undefined;
  }
  if (call.agg_star || call.agg_distinct || call.agg_order?.length || call.agg_filter) {
    throw new SqlError(SQLSTATE.wrong_object_type, `${call.agg_distinct ? 'DISTINCT' : call.agg_star ? `${name}(*)` : call.agg_order?.length ? 'ORDER BY' : 'FILTER'} specified, but ${name} is not an aggregate function`);
  }
  if (call.over) throw new SqlError(SQLSTATE.wrong_object_type, `OVER specified, but ${name} is not a window function nor an aggregate function`);
  const args = compileCallArgs(call, scope, compile);
  const match = resolveCall(candidates, name, args, !!call.func_variadic, kind === 'f' ? 'function' : 'procedure');
  const evals = argumentEvaluators(match, scope, compile);
  // a procedure's statements are planned by CALL (function/procedure.ts): they may write
  const body: PlannedBody = kind === 'f' ? planBody(match.def, catalog) : { columns: [], run: () => [] };
  const strict = match.def.strict;
  return {
    match,
    body,
    constant: match.args.every((a) => a === undefined || a.konst),
    args: (row, ctx) => evals.map((e) => e(row, ctx)),
    rows(row, ctx) {
      const vals = evals.map((e) => e(row, ctx));
      if (strict && vals.some((v) => v === null)) return undefined;
      return body.run(vals, ctx as RunContext);
    },
  };
}

/** A call of a procedure with SELECT, or of a function with CALL: PostgreSQL's 42809 when that is what it would match. */
function wrongKind(call: FuncCall, scope: Scope, compile: Compile, name: string, kind: 'f' | 'p'): void {
  const others = functionsNamed(functionCatalog()!.state, name, kind === 'f' ? 'p' : 'f');
  if (!others.length) return;
  const args = compileCallArgs(call, scope, compile);
  try {
    resolveCall(others, name, args, !!call.func_variadic, 'function');
  } catch {
    return;
  }
  const sig = callSignature(name, args);
  throw new SqlError(SQLSTATE.wrong_object_type, kind === 'f' ? `${sig} is a procedure` : `${sig} is not a procedure`, {
    hint: kind === 'f' ? 'To call a procedure, use CALL.' : 'To call a function, use SELECT.',
  });
}

/** A SQL function called in an expression, or undefined when `call` names none. */
export function compileSqlFunctionCall(call: FuncCall, scope: Scope, compile: Compile): Expr | undefined {
  const r = resolveUserCall(call, scope, compile, 'f');
  if (!r) return undefined;
  const def = r.match.def;
  if (def.setof) throw featureNotSupported(`set-returning SQL function ${def.name} outside FROM`);
  if (def.columns && def.columns.length !== 1) throw featureNotSupported(`SQL function ${def.name} with several OUT parameters outside FROM`);
  const type = def.returns === 'void' ? 'text' : def.columns ? def.columns[0]!.type : def.returns;
  if (def.returns === 'void') throw featureNotSupported(`the void result of SQL function ${def.name}`);
  const compiled = expr(type, (row, ctx) => r.rows(row, ctx)?.[0]?.[0] ?? null);
  return def.volatility === 'i' && r.constant ? foldConstant(compiled) : compiled;
}

/** A SQL function in FROM: its result columns and, per outer row, its rows. */
export function sqlFunctionItem(call: FuncCall, scope: Scope, compile: Compile): { columns: { name: string; type: SqlType }[]; rows(outer: readonly Value[], ctx: EvalContext): Value[][] } | undefined {
  const r = resolveUserCall(call, scope, compile, 'f');
  if (!r) return undefined;
  if (r.match.def.returns === 'void') throw featureNotSupported(`the void result of SQL function ${r.match.def.name}`);
  return {
    columns: r.body.columns,
    rows: (outer, ctx) => {
      const rows = r.rows(outer, ctx);
      // a scalar function in FROM is one row, NULL when it returned none
      if (!r.match.def.setof) return [rows?.[0] ?? r.body.columns.map(() => null)];
      return rows ?? [];
    },
  };
}

/** CALL p(…): the procedure called and its arguments' evaluation, or undefined when no procedure has that name. */
export function resolveProcedureCall(call: FuncCall, scope: Scope, compile: Compile): { def: FunctionDef; args(ctx: EvalContext): Value[] } | undefined {
  const r = resolveUserCall(call, scope, compile, 'p');
  return r && { def: r.match.def, args: (ctx) => r.args([], ctx) };
}
