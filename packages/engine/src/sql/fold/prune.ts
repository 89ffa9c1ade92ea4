/**
 * CASE, AND/OR/NOT and COALESCE as PostgreSQL's planner simplifies them before it folds their
 * parts (clauses.c): a WHEN whose condition is constant false or NULL is dropped, a constant true
 * one ends the CASE; AND stops at a constant false, OR at a constant true, COALESCE at a non-NULL
 * constant. What follows such a point is type-checked but never folded, so `CASE WHEN false THEN
 * 1/0 END` runs while `CASE WHEN x > 0 THEN 1/0 END` fails while planning, as in PostgreSQL.
 * A deciding value that depends on parameters only (PostgreSQL's custom plan folds it) leaves the
 * rest unfolded: whether PostgreSQL would fold it depends on the parameter's value.
 */
import type { BoolExpr, CaseExpr, CoalesceExpr, Node } from '@pgsql/types';
import { featureNotSupported } from '../../errors.ts';
import { castFunction } from '../cast.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import { boolArg, unifyPair } from '../expr.ts';
import { commonType, comparatorFor } from '../operators.ts';
import type { EvalContext, Scope } from '../scope.ts';
import type { Value } from '../types.ts';
import { foldClock, foldConstant, isParamOnly, withoutFolding } from './fold.ts';

type CompileFn = (node: Node, scope: Scope) => Expr;

/** Compiles the nodes in order; once `decided` says the value is settled, the rest are compiled unfolded. */
function inOrder<T>(nodes: readonly Node[], compileOne: (n: Node) => T, decided: (t: T, n: Node, since: number) => 'stop' | 'maybe' | 'go'): T[] {
  const out: T[] = [];
  let settled = false;
  for (const n of nodes) {
    const since = foldClock();
    const t = settled ? withoutFolding(() => compileOne(n)) : compileOne(n);
    out.push(t);
    if (!settled && decided(t, n, since) !== 'go') settled = true;
  }
  return out;
}

export function compileBool(b: BoolExpr, scope: Scope, compile: CompileFn): Expr {
  const what = b.boolop === 'AND_EXPR' ? 'AND' : b.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
  if (what === 'NOT') {
    const arg = boolArg(compile(b.args![0], scope), what);
    const inner = arg.eval;
    return foldIf(arg.konst === true, expr('bool', (row, ctx) => {
      const v = inner(row, ctx);
      return v === null ? null : !v;
    }));
  }
  const stopAt = what === 'OR';
  const args = inOrder(b.args ?? [], (n) => boolArg(compile(n, scope), what),
    (a, n, since) => (a.konst && a.value === stopAt ? 'stop' : isParamOnly(n, since) ? 'maybe' : 'go'));
  // `x AND false` is false whatever x is: PostgreSQL drops x (it is never evaluated)
  if (args.some((a) => a.konst && a.value === stopAt)) return constant(stopAt, 'bool');
  // constants that do not decide drop out (PostgreSQL keeps one NULL)
  const kept = args.filter((a) => !a.konst || a.value === null);
  if (kept.length === 0) return constant(!stopAt, 'bool');
  if (kept.every((a) => a.konst)) return constant(null, 'bool');
  return what === 'AND' ? and(kept) : or(kept);
}

function foldIf(allConstant: boolean, e: Expr): Expr {
  return allConstant ? foldConstant(e) : e;
}

export function and(args: Expr[]): Expr {
  const evals = args.map((a) => a.eval);
  if (evals.length === 2) {
    const [x, y] = evals;
    return expr('bool', (row, ctx) => {
      const a = x(row, ctx);
      if (a === false) return false;
      const b = y(row, ctx);
      if (b === false) return false;
      return a === null || b === null ? null : true;
    });
  }
  return expr('bool', (row, ctx) => {
    let result: boolean | null = true;
    for (const ev of evals) {
      const v = ev(row, ctx);
      if (v === false) return false;
      if (v === null) result = null;
    }
    return result;
  });
}

export function or(args: Expr[]): Expr {
  const evals = args.map((a) => a.eval);
  return expr('bool', (row, ctx) => {
    let result: boolean | null = false;
    for (const ev of evals) {
      const v = ev(row, ctx);
      if (v === true) return true;
      if (v === null) result = null;
    }
    return result;
  });
}

export function compileCoalesce(c: CoalesceExpr, scope: Scope, compile: CompileFn): Expr {
  const compiled = inOrder(c.args ?? [], (n) => compile(n, scope),
    (a, n, since) => (a.konst && a.value !== null ? 'stop' : isParamOnly(n, since) ? 'maybe' : 'go'));
  const type = commonType(compiled.map((a) => a.type), 'COALESCE');
  const args = compiled.map((a) => retype(a, type));
  const stop = args.findIndex((a) => a.konst && a.value !== null);
  const kept = (stop >= 0 ? args.slice(0, stop + 1) : args).filter((a) => !(a.konst && a.value === null));
  if (kept.length === 0) return constant(null, type);
  if (kept[0].konst) return kept[0];
  const evals = kept.map((a) => a.eval);
  return expr(type, (row, ctx) => {
    for (const e of evals) {
      const v = e(row, ctx);
      if (v !== null) return v;
    }
    return null;
  });
}

type Test = (a: Value, row: readonly Value[], ctx: EvalContext) => boolean | null;

export function compileCase(c: CaseExpr, scope: Scope, compile: CompileFn): Expr {
  // A simple CASE's operand is evaluated once per row; its WHEN tests are constant when it is.
  const operandSince = foldClock();
  const operand = c.arg ? compile(c.arg, scope) : undefined;
  const operandKnown = operand !== undefined && (operand.konst === true || isParamOnly(c.arg!, operandSince));
  let settled = false, conditional = false;
  const arms: { test: Test; konst?: boolean | null; result: Expr; drop: boolean; decides: boolean }[] = [];
  for (const w of c.args ?? []) {
    if (!('CaseWhen' in w)) throw featureNotSupported('CASE arm');
    const unfolded = settled || conditional;
    const since = foldClock();
    const raw = unfolded ? withoutFolding(() => compile(w.CaseWhen.expr!, scope)) : compile(w.CaseWhen.expr!, scope);
    const { test, konst } = operand ? simpleTest(operand, raw, unfolded) : searchedTest(boolArg(raw, 'CASE/WHEN'));
    const paramOnly = konst === undefined && (operand
      ? operandKnown && (raw.konst === true || isParamOnly(w.CaseWhen.expr!, since))
      : isParamOnly(w.CaseWhen.expr!, since));
    const drop = !unfolded && konst !== undefined && konst !== true;
    const decides = !unfolded && konst === true;
    if (!unfolded && paramOnly) conditional = true;
    const armUnfolded = unfolded || drop || conditional;
    const result = armUnfolded ? withoutFolding(() => compile(w.CaseWhen.result!, scope)) : compile(w.CaseWhen.result!, scope);
    arms.push({ test, konst, result, drop, decides });
    if (decides) settled = true;
  }
  const def = c.defresult
    ? (settled || conditional ? withoutFolding(() => compile(c.defresult!, scope)) : compile(c.defresult, scope))
    : constant(null, 'unknown');
  // PostgreSQL puts the ELSE branch first when choosing the result type (it shows in messages).
  const type = commonType([def.type, ...arms.map((a) => a.result.type)], 'CASE');
  const live: { test: Test; result: Expr }[] = [];
  for (const a of arms) {
    if (a.drop) continue;
    if (a.decides && live.length === 0) return retype(a.result, type);
    live.push({ test: a.test, result: retype(a.result, type) });
    if (a.decides) break;
  }
  const defResult = retype(def, type);
  if (live.length === 0) return defResult;
  const tests = live.map((a) => a.test), results = live.map((a) => a.result.eval);
  const defEval = defResult.eval, operandEval = operand?.eval;
  return expr(type, (row, ctx) => {
    const a = operandEval ? operandEval(row, ctx) : null;
    for (let i = 0; i < tests.length; i++) if (tests[i](a, row, ctx) === true) return results[i](row, ctx);
    return defEval(row, ctx);
  });
}

/** A searched CASE's WHEN condition; `konst` is its value when it is a constant. */
function searchedTest(cond: Expr): { test: Test; konst?: boolean | null } {
  if (cond.konst) return { test: () => cond.value as boolean | null, konst: cond.value as boolean | null };
  const ev = cond.eval;
  return { test: (_a, row, ctx) => ev(row, ctx) as boolean | null };
}

/** `operand = value` of a simple CASE, over the operand's value for the row; constant when both are. */
function simpleTest(operand: Expr, value: Expr, unfolded: boolean): { test: Test; konst?: boolean | null } {
  const [, val, t] = unifyPair('=', operand, value);
  const cast = castFunction(operand.type, t, -1, false), cmp = comparatorFor(t), ve = val.eval;
  const test: Test = (a, row, ctx) => {
    if (a === null) return false;
    const b = ve(row, ctx);
    return b !== null && cmp(cast(a), b) === 0;
  };
  if (unfolded || !operand.konst || !val.konst) return { test };
  const konst = test(operand.value ?? null, [], { params: [], now: new Date(0) });
  return { test, konst };
}
