/**
 * Plan-time constant folding, PostgreSQL's eval_const_expressions: an immutable operation whose
 * inputs are all constants is evaluated once while the statement is compiled, so its errors
 * (division by zero, overflow, a bad cast) are raised by every execution of the statement, rows or
 * not, as PostgreSQL raises them. Owns the "is this node constant" marks the compiler leaves on the
 * AST and the suppression of folding inside branches PostgreSQL drops before folding them.
 */
import type { Node } from '@pgsql/types';
import { constant, parameterCasts, type Expr } from '../compiled.ts';
import type { Compiled, EvalContext } from '../scope.ts';

/** Raised when a folded expression reads the statement's parameters or time: it is not constant. */
class NotConstant extends Error {}

/** Whatever an evaluation reads from its context (parameters, the time, the session) makes it not constant. */
const FOLD_CONTEXT = new Proxy({}, { get: () => { throw new NotConstant(); } }) as EvalContext;

/**
 * What the compiler knows of a node's value before any row: a constant, or a value that depends
 * on parameters only (PostgreSQL's custom plans fold those too, so a branch that such a value
 * decides may be dropped before folding: folding under it waits for run time).
 */
type Mark = { kind: 'const' | 'param'; serial: number };

const marks = new WeakMap<Node, Mark>();
let serial = 0;
/** Depth of branches being compiled that PostgreSQL drops, or may drop, without folding them. */
let suppressed = 0;
/** Depth of query planning: PostgreSQL folds while planning a query, not in DDL (a DEFAULT, a CHECK, a view). */
let planning = 0;

/** The parameter-only expressions of the query being planned (fold/params.ts), or undefined when none is collected. */
let parameterFolds: Expr[] | undefined;

/** Plan with the parameter-only expressions PostgreSQL's custom plan would fold collected into `into`. */
export function collectingParameterFolds<T>(into: Expr[], plan: () => T): T {
  const saved = parameterFolds, savedCasts = parameterCasts.into;
  parameterFolds = into;
  parameterCasts.into = into;
  try {
    return plan();
  } finally {
    parameterFolds = saved;
    parameterCasts.into = savedCasts;
  }
}

/** `e` depends on parameters only and stands where PostgreSQL folds: a custom plan evaluates it before any row. */
function foldWithParameters(e: Expr): Expr {
  if (parameterFolds && !foldingSuppressed()) parameterFolds.push(e);
  return e;
}

/** Nodes PostgreSQL never folds although they stand where it folds (an EXISTS sub-select's target list, which it drops). */
const unfolded = new WeakSet<Node>();

/** Compile these nodes without folding wherever they are compiled. */
export function leaveUnfolded(nodes: readonly Node[]): void {
  for (const n of nodes) unfolded.add(n);
}

/** The compiler's entry for every node: compile it (folding off when it is left unfolded), then fold it. */
export function compileFolded(node: Node, compileNode: () => Expr): Expr {
  const since = foldClock();
  const run = (): Expr => foldNode(node, compileNode(), since);
  return unfolded.has(node) ? withoutFolding(run) : run();
}

/** The serial to pass to foldNode: marks older than it belong to an earlier compilation. */
export function foldClock(): number {
  return ++serial;
}

export function foldingSuppressed(): boolean {
  return suppressed > 0 || planning === 0;
}

/** Plan a query (SELECT, INSERT, UPDATE, DELETE, EXPLAIN, CREATE TABLE AS) with folding on. */
export function withFolding<T>(plan: () => T): T {
  const saved = suppressed;
  suppressed = 0;
  planning++;
  try {
    return plan();
  } finally {
    planning--;
    suppressed = saved;
  }
}

/** Compile a branch that PostgreSQL drops (or may drop) before folding: type-checked, not folded. */
export function withoutFolding<T>(compileBranch: () => T): T {
  suppressed++;
  try {
    return compileBranch();
  } finally {
    suppressed--;
  }
}

/** Whether a compiled expression is a constant (a folded one included). */
export function isConstant(c: Compiled | undefined): boolean {
  return c !== undefined && (c as Expr).konst === true;
}

/** Evaluate `e`, whose inputs are constants, now; left as is when it reads parameters or the time. */
export function foldConstant(e: Expr): Expr {
  if (e.konst || foldingSuppressed()) return e;
  let value;
  try {
    value = e.eval([], FOLD_CONTEXT);
  } catch (err) {
    if (err instanceof NotConstant) return e;
    throw err;
  }
  return constant(value, e.type);
}

/**
 * A strict function or operator with a constant NULL argument is NULL without being called
 * (evaluate_function), even when its other arguments are not constant, so none of their errors
 * surfaces: `gcd(x::int4, null)` and `x::int4 + null` are NULL whatever x holds.
 */
export function strictOverNull(e: Expr, args: readonly Expr[]): Expr {
  return !e.konst && !foldingSuppressed() && args.some((a) => a.konst && a.value === null) ? constant(null, e.type) : e;
}

/** Mark a compiled node: constant, parameter-only, or neither. */
export function mark(node: Node, e: Expr, paramOnly: boolean): Expr {
  if (e.konst) marks.set(node, { kind: 'const', serial: ++serial });
  else if (paramOnly) marks.set(node, { kind: 'param', serial: ++serial });
  else marks.delete(node);
  return e;
}

/** How constant the children compiled since `since` are: all constants, constants and parameters, or not. */
export function childrenKind(children: readonly Node[], since: number): 'const' | 'param' | undefined {
  let kind: 'const' | 'param' = 'const';
  for (const c of children) {
    const m = marks.get(c);
    if (!m || m.serial <= since) return undefined;
    if (m.kind === 'param') kind = 'param';
  }
  return kind;
}

export function isParamOnly(node: Node, since: number): boolean {
  const m = marks.get(node);
  return m !== undefined && m.serial > since && m.kind === 'param';
}

/** Direct expression children of the node kinds folded generically (operators, casts, tests). */
export function foldableChildren(node: Node): Node[] | undefined {
  if ('A_Expr' in node) {
    const e = node.A_Expr;
    const list = (n: Node | undefined): Node[] => (n && 'List' in n ? n.List.items ?? [] : n ? [n] : []);
    return [...(e.lexpr ? [e.lexpr] : []), ...list(e.rexpr)];
  }
  if ('TypeCast' in node) return node.TypeCast.arg ? [node.TypeCast.arg] : undefined;
  if ('NullTest' in node) return [node.NullTest.arg!];
  if ('BooleanTest' in node) return [node.BooleanTest.arg!];
  if ('MinMaxExpr' in node) return node.MinMaxExpr.args ?? [];
  return undefined;
}

/** Children that make a function call, CASE, AND/OR/NOT or COALESCE parameter-only when all are. */
function otherChildren(node: Node): Node[] | undefined {
  if ('FuncCall' in node) return node.FuncCall.args ?? [];
  if ('BoolExpr' in node) return node.BoolExpr.args ?? [];
  if ('CoalesceExpr' in node) return node.CoalesceExpr.args ?? [];
  if ('CaseExpr' in node) {
    const c = node.CaseExpr;
    const whens = (c.args ?? []).flatMap((w) => ('CaseWhen' in w ? [w.CaseWhen.expr!, w.CaseWhen.result!] : [w]));
    return [...(c.arg ? [c.arg] : []), ...whens, ...(c.defresult ? [c.defresult] : [])];
  }
  return undefined;
}

/**
 * Called by the compiler for every node it compiled (since = foldClock() before compiling it):
 * folds an operator, cast or test over constants and records what the node is for its parent.
 */
export function foldNode(node: Node, e: Expr, since: number): Expr {
  if (e.konst) return mark(node, e, false);
  if ('ParamRef' in node) return mark(node, e, true);
  const folded = foldableChildren(node);
  if (folded) {
    const kind = childrenKind(folded, since);
    return mark(node, kind === 'const' ? foldConstant(e) : kind === 'param' ? foldWithParameters(e) : e, kind !== undefined);
  }
  const others = otherChildren(node);
  const kind = others && childrenKind(others, since);
  // a call over constants that was not folded is volatile or reads the time: not parameter-only
  return mark(node, 'FuncCall' in node && kind === 'param' ? foldWithParameters(e) : e, 'FuncCall' in node ? kind === 'param' : kind !== undefined);
}
