/**
 * compileExpr: turns a libpg-query expression node into a typed closure over a flat row, once,
 * so evaluation never walks the AST. Operators, casts, CASE and friends live here; SQL functions
 * in functions.ts, subqueries in sublink.ts.
 */
import { checkCharConcat } from './types/char.ts';
import type { A_Const, A_Expr, FuncCall, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { castFunction, isDateTimeType, isTextType, parseInput, resolveTypeName } from './cast.ts';
import { stripBpchar } from './types/bpchar.ts';
import { column, constant, expr, retype, type Expr } from './compiled.ts';
import { compileFunction } from './functions.ts';
import { compileFolded, foldingSuppressed, strictOverNull } from './fold/fold.ts';
import { and, compileBool, compileCase, compileCoalesce, or } from './fold/prune.ts';
import { canonical, inInt8Range } from './int8.ts';
import { compileJsonOperator } from './json.ts';
import { compileAnyAll, compileArrayConstructor, compileArrayOperator, compileIndirection, isArrayOperator } from './functions/array.ts';
import { isArrayType } from './types/array.ts';
import { untypedOperand } from './functions/datetime-ops.ts';
import { compileMakeInterval } from './functions/to-char.ts';
import { compileJsonbOperator, isJsonOperator } from './functions/json.ts';
import { compileJsonPathOperator, isJsonPathOperator, positionalPathCall } from './jsonpath/functions.ts';
import { compileRegexMatch, REGEX_OPS } from './functions/string.ts';
import {
  arithmetic, ARITHMETIC_OPS, commonType, comparatorFor, COMPARISON_OPS, likeRegExp, negate, operatorError,
  relation, strictEqualityWorks, unify,
} from './operators.ts';
import type { Compiled, EvalContext, Evaluator, Scope } from './scope.ts';
import { compileSubLink } from './sublink.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { toText } from './values.ts';
import { WINDOW_FUNCTIONS } from './window/functions.ts';
import { misplacedGrouping } from './grouping-sets.ts';
import { compileFieldSelection, compileRowAExpr, compileRowConstructor, compileRowNullTest, compileWholeRow } from './row-expr.ts';
import { strings } from './names.ts';
import { STATISTICS } from './aggregate/statistics.ts';
import { BITWISE } from './aggregate/bitwise.ts';
import { compilePowerOperator, compilePrefixFunction, PREFIX_FUNCTIONS } from './functions/prefix-operators.ts';
import { compileSqlFunctionCall } from './function/call.ts';
import { domainCast } from './types/domain.ts';
import { isCompositeType, isRowType } from './composite/type.ts';
import { compileRowAs } from './composite/row.ts';

export const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every', 'json_agg',
  'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance',
  'var_pop', 'var_samp', 'bit_and', 'bit_or', 'percentile_cont', 'percentile_disc', 'mode',
  ...STATISTICS, ...BITWISE,
]);

export function funcName(f: FuncCall): string {
  const names = (f.funcname ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
  return (names[names.length - 1] ?? '').toLowerCase();
}

/** Whether the node is a call of an aggregate function (count, sum, …), which the planner computes. */
export function isAggregateCall(node: Node): boolean {
  return 'FuncCall' in node && !node.FuncCall.over && AGGREGATES.has(funcName(node.FuncCall));
}

export function compileExpr(node: Node, scope: Scope): Compiled {
  return compile(node, scope);
}

/** Compile a condition (WHERE, ON, HAVING, CHECK): it must be boolean, as PostgreSQL requires. */
export function compilePredicate(node: Node, scope: Scope): Compiled {
  return boolArg(compile(node, scope), scope.clause ?? 'WHERE');
}

/** The internal entry point: like compileExpr but keeps the fast-path metadata of Expr. */
export function compile(node: Node, scope: Scope): Expr {
  return compileFolded(node, () => compileNode(node, scope));
}

function compileNode(node: Node, scope: Scope): Expr {
  const pre = scope.precomputed?.(node);
  if (pre) return column(pre.index, pre.type);
  if ('ColumnRef' in node) {
    const ref = node.ColumnRef;
    const plain = (): Expr => {
      const oid = scope.tableOid?.(strings(ref.fields));
      if (oid !== undefined) return constant(oid, 'oid');
      const slot = scope.column(strings(ref.fields), ref.location);
      return column(slot.index, slot.type);
    };
    // `t` and `t.*` as a row value: sql/row-expr.ts
    return compileWholeRow(ref, scope, plain) ?? plain();
  }
  if ('A_Const' in node) return compileConst(node.A_Const);
  if ('ParamRef' in node) return compileParam(node.ParamRef.number ?? 0, scope);
  if ('A_Expr' in node) return compileAExpr(node.A_Expr, scope);
  if ('BoolExpr' in node) return compileBool(node.BoolExpr, scope, compile);
  if ('NullTest' in node) {
    const tested = compile(node.NullTest.arg!, scope);
    if (isRowType(tested.type)) return compileRowNullTest(tested, node.NullTest.nulltesttype === 'IS_NOT_NULL');
    const arg = tested.eval;
    return node.NullTest.nulltesttype === 'IS_NOT_NULL'
      ? expr('bool', (row, ctx) => arg(row, ctx) !== null)
      : expr('bool', (row, ctx) => arg(row, ctx) === null);
  }
  if ('BooleanTest' in node) {
    const arg = boolArg(compile(node.BooleanTest.arg!, scope), 'IS TRUE').eval;
    switch (node.BooleanTest.booltesttype) {
      case 'IS_TRUE': return expr('bool', (row, ctx) => arg(row, ctx) === true);
      case 'IS_NOT_TRUE': return expr('bool', (row, ctx) => arg(row, ctx) !== true);
      case 'IS_FALSE': return expr('bool', (row, ctx) => arg(row, ctx) === false);
      case 'IS_NOT_FALSE': return expr('bool', (row, ctx) => arg(row, ctx) !== false);
      case 'IS_UNKNOWN': return expr('bool', (row, ctx) => arg(row, ctx) === null);
      default: return expr('bool', (row, ctx) => arg(row, ctx) !== null);
    }
  }
  if ('TypeCast' in node) {
    const { type, typmod, domain } = resolveTypeName(node.TypeCast.typeName!);
    const arg = 'A_ArrayExpr' in node.TypeCast.arg! && isArrayType(type)
      ? compileArrayConstructor(node.TypeCast.arg.A_ArrayExpr, scope, compile, type)
      : 'RowExpr' in node.TypeCast.arg! && isCompositeType(type) ? compileRowAs(node.TypeCast.arg.RowExpr, type, scope, compile)
      : compile(node.TypeCast.arg!, scope);
    const cast = castFunction(arg.type, type, typmod, true);
    if (arg.konst && (arg.type === 'unknown' || !foldingSuppressed())) {
      // Literals are converted at parse time in PostgreSQL, so their input errors surface there too.
      return domainCast(constant(cast(arg.value), type), domain);
    }
    const inner = arg.eval;
    return domainCast(expr(type, (row, ctx) => cast(inner(row, ctx))), domain);
  }
  if ('CaseExpr' in node) return compileCase(node.CaseExpr, scope, compile);
  if ('CoalesceExpr' in node) return compileCoalesce(node.CoalesceExpr, scope, compile);
  if ('MinMaxExpr' in node) {
    const greatest = node.MinMaxExpr.op === 'IS_GREATEST';
    const args = unifyAll((node.MinMaxExpr.args ?? []).map((a) => compile(a, scope)), greatest ? 'GREATEST' : 'LEAST');
    const cmp = comparatorFor(args[0].type);
    const evals = args.map((a) => a.eval);
    return expr(args[0].type, (row, ctx) => {
      let best: Value = null;
      for (const e of evals) {
        const v = e(row, ctx);
        if (v !== null && (best === null || (greatest ? cmp(v, best) > 0 : cmp(v, best) < 0))) best = v;
      }
      return best;
    });
  }
  if ('FuncCall' in node) {
    const f = positionalPathCall(node.FuncCall);
    if (f.over) throw windowMisplaced(scope.clause);
    if (isAggregateCall(node)) {
      if (aggregatesOuterColumns(f, scope)) {
        // PostgreSQL computes it in the enclosing query, over all of that query's rows
        throw new SqlError(SQLSTATE.feature_not_supported, 'aggregate functions of outer-query columns inside a sub-select are not supported');
      }
      throw new SqlError(SQLSTATE.grouping_error, scope.clause
        ? `aggregate functions are not allowed in ${scope.clause}`
        : 'aggregate functions are not allowed here');
    }
    if (WINDOW_FUNCTIONS.has(funcName(f))) throw new SqlError(SQLSTATE.wrong_object_type, `window function ${funcName(f)} requires an OVER clause`, { position: f.location !== undefined ? f.location + 1 : undefined });
    if (funcName(f) === 'make_interval' && (f.funcname ?? []).length === 1) return compileMakeInterval(f, scope, compile);
    const sqlFunction = compileSqlFunctionCall(f, scope, compile);
    if (sqlFunction) return sqlFunction;
    const args = (f.args ?? []).map((a) => compile(a, scope));
    // node-provided functions (nextval, pg_current_wal_lsn, …) come first
    const provided = (f.funcname ?? []).length === 1 ? scope.callFunction?.(funcName(f), args, f.location) : undefined;
    return provided ?? compileFunction(f, funcName(f), args);
  }
  if ('SQLValueFunction' in node) {
    switch (node.SQLValueFunction.op) {
      case 'SVFOP_CURRENT_TIMESTAMP': return expr('timestamptz', (_row, ctx) => ctx.now);
      case 'SVFOP_LOCALTIMESTAMP': return expr('timestamp', (_row, ctx) => ctx.now);
      case 'SVFOP_CURRENT_DATE': return expr('date', (_row, ctx) => castFunction('timestamptz', 'date')(ctx.now));
      default: throw featureNotSupported(`SQL value function ${node.SQLValueFunction.op?.replace('SVFOP_', '')}`);
    }
  }
  if ('SubLink' in node) return compileSubLink(node.SubLink, scope, compile);
  if ('A_ArrayExpr' in node) return compileArrayConstructor(node.A_ArrayExpr, scope, compile);
  if ('A_Indirection' in node) return compileFieldSelection(node.A_Indirection, scope, compile) ?? compileIndirection(node.A_Indirection, scope, compile);
  if ('RowExpr' in node) return compileRowConstructor(node.RowExpr, scope, compile);
  if ('GroupingFunc' in node) throw misplacedGrouping(node.GroupingFunc, scope.clause);
  throw featureNotSupported(describeNode(node));
}

/** Whether an aggregate's arguments name columns, all of them of an enclosing query. */
function aggregatesOuterColumns(f: FuncCall, scope: Scope): boolean {
  const refs: string[][] = [];
  JSON.stringify(f.args ?? [], (k, v) => {
    if (k === 'SubLink') return undefined;
    if (k === 'ColumnRef') refs.push(((v as { fields?: Node[] }).fields ?? []).map((x) => ('String' in x ? x.String.sval ?? '' : '*')));
    return v;
  });
  return refs.length > 0 && refs.every((r) => scope.isOuter?.(r) ?? false);
}

/** A window function call the planner did not compute: it stands where PostgreSQL allows none. */
function windowMisplaced(clause: string | undefined): SqlError {
  if (clause === 'aggregate function calls') return new SqlError(SQLSTATE.grouping_error, 'aggregate function calls cannot contain window function calls');
  if (clause === 'window function calls') return new SqlError('42P20', 'window function calls cannot be nested');
  return new SqlError('42P20', clause ? `window functions are not allowed in ${clause}` : 'window functions are not allowed here');
}

function describeNode(node: Node): string {
  const kind = Object.keys(node)[0];
  const names: Record<string, string> = {
    A_ArrayExpr: 'ARRAY constructor', RowExpr: 'row constructor', CollateClause: 'COLLATE', A_Indirection: 'subscripting',
    GroupingFunc: 'GROUPING', XmlExpr: 'XML expression', A_Star: '*', MultiAssignRef: 'multiple-column assignment',
  };
  return names[kind] ?? `expression ${kind}`;
}

function compileConst(c: A_Const): Expr {
  if (c.isnull) return constant(null, 'unknown');
  if (c.ival) return constant(c.ival.ival ?? 0, 'int4');
  if (c.fval) {
    const text = c.fval.fval ?? '0';
    // Integer-looking literals too big for int4 are int8 (up to its range), others numeric.
    // an integer too long for the lexer's int4 is int4 still when it fits (-2147483648), else int8 (make_const)
    if (/^-?\d+$/.test(text) && inInt8Range(BigInt(text))) {
      const n = canonical(BigInt(text));
      return constant(n, typeof n === 'number' && n >= -2147483648 && n <= 2147483647 ? 'int4' : 'int8');
    }
    return constant(parseInput(text, 'numeric'), 'numeric');
  }
  if (c.boolval) return constant(c.boolval.boolval ?? false, 'bool');
  if (c.sval) return constant(c.sval.sval ?? '', 'unknown');
  if (c.bsval) throw featureNotSupported('bit string literal');
  return constant(null, 'unknown');
}

function compileParam(n: number, scope: Scope): Expr {
  const i = n - 1;
  const get: Evaluator = (_row, ctx) => {
    const v = ctx.params[i];
    if (v === undefined) throw new SqlError(SQLSTATE.undefined_parameter, `there is no parameter $${n}`);
    return v;
  };
  const declared = scope.paramType?.(n);
  if (!declared || declared === 'unknown') return { ...expr('unknown', get), param: i };
  const cast = castFunction('unknown', declared, -1, false);
  return expr(declared, (row, ctx) => cast(get(row, ctx)));
}

/** Check (and if needed coerce) a boolean operand: `argument of AND must be type boolean, …`. */
export function boolArg(e: Expr, what: string): Expr {
  if (e.type === 'bool') return e;
  if (e.type === 'unknown') return retype(e, 'bool');
  throw new SqlError(SQLSTATE.datatype_mismatch, `argument of ${what} must be type boolean, not type ${TYPE_NAME[e.type]}`);
}

/** Bring two operands to one type for a comparison-like operator; 'unknown' means decide at run time. */
export function unifyPair(op: string, l: Expr, r: Expr): [Expr, Expr, SqlType] {
  // json and jsonpath have no comparison operators, not even with an untyped literal
  if ([l.type, r.type].some((t) => t === 'json' || t === 'jsonpath')) throw operatorError(op, l.type, r.type);
  if (l.type === 'unknown' && r.type === 'unknown') {
    if (!l.konst && !r.konst) return [l, r, 'unknown'];
    return [retype(l, 'text'), retype(r, 'text'), 'text'];
  }
  if (l.type === 'unknown') return [retype(l, r.type), r, r.type];
  if (r.type === 'unknown') return [l, retype(r, l.type), l.type];
  const t = unify(l.type, r.type);
  if (!t) throw operatorError(op, l.type, r.type);
  return [retype(l, t), retype(r, t), t];
}

function unifyAll(args: Expr[], context: string): Expr[] {
  const t = commonType(args.map((a) => a.type), context);
  return args.map((a) => retype(a, t));
}

/** `l op r` for = <> < <= > >=, NULL-propagating, with fast paths for column/constant operands. */
export function compileComparison(op: string, left: Expr, right: Expr): Expr {
  const [l, r, t] = unifyPair(op, left, right);
  const test = relation(op)!;
  const le = l.eval, re = r.eval;
  if ((op === '=' || op === '<>') && strictEqualityWorks(t)) {
    const eq = op === '=';
    if (l.slot !== undefined && r.konst) {
      const i = l.slot, k = r.value;
      if (k === null) return constant(null, 'bool');
      return expr('bool', (row) => {
        const a = row[i];
        return a === null ? null : (a === k) === eq;
      });
    }
    return expr('bool', (row, ctx) => {
      const a = le(row, ctx);
      // PostgreSQL evaluates every argument of a strict operator before its NULL test: errors surface
      if (a === null) return (re(row, ctx), null);
      const b = re(row, ctx);
      return b === null ? null : (a === b) === eq;
    });
  }
  const cmp = comparatorFor(t);
  return expr('bool', (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return (re(row, ctx), null);
    const b = re(row, ctx);
    return b === null ? null : test(cmp(a, b));
  });
}

function opName(e: A_Expr): string {
  const names = (e.name ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
  return names[names.length - 1] ?? '';
}

function listItems(n: Node | undefined): Node[] {
  if (n && 'List' in n) return n.List.items ?? [];
  return n ? [n] : [];
}

function compileAExpr(e: A_Expr, scope: Scope): Expr {
  const rows = compileRowAExpr(e, scope, compile);
  if (rows) return rows;
  const op = opName(e);
  switch (e.kind) {
    case 'AEXPR_OP': {
      if (!e.lexpr) {
        const arg = compile(e.rexpr!, scope);
        if (op === '+') return arg;
        if (PREFIX_FUNCTIONS[op]) return compilePrefixFunction(op, arg);
        if (op !== '-') throw operatorError(op, arg.type, undefined);
        const fn = negate(arg.type === 'unknown' ? 'numeric' : arg.type);
        const inner = retype(arg, arg.type === 'unknown' ? 'numeric' : arg.type).eval;
        return expr(arg.type === 'unknown' ? 'numeric' : arg.type, (row, ctx) => {
          const v = inner(row, ctx);
          return v === null ? null : fn(v);
        });
      }
      const l = compile(e.lexpr, scope), r = compile(e.rexpr!, scope);
      // array operators (array_cat, array_append …) are not strict; every other built-in one is
      if (isArrayOperator(op, l.type, r.type)) return compileArrayOperator(op, l, r);
      const strict = (c: Expr): Expr => strictOverNull(c, [l, r]);
      if (isJsonPathOperator(op, l.type, r.type)) return strict(compileJsonPathOperator(op, l, r));
      if (isJsonOperator(op, l.type, r.type)) return strict(compileJsonbOperator(op, l, r));
      if (REGEX_OPS.has(op)) return strict(compileRegexMatch(op, l, r));
      if (COMPARISON_OPS.has(op)) return strict(compileComparison(op, l, r));
      if (ARITHMETIC_OPS.has(op)) return strict(compileArithmetic(op, l, r));
      if (op === '||') return strict(compileConcat(l, r));
      if (op === '^') return strict(compilePowerOperator(l, r));
      if (op === '->' || op === '->>') return strict(compileJsonOperator(op, l, r));
      throw featureNotSupported(`operator ${op}`);
    }
    case 'AEXPR_DISTINCT': case 'AEXPR_NOT_DISTINCT': {
      const [l, r, t] = unifyPair('=', compile(e.lexpr!, scope), compile(e.rexpr!, scope));
      const cmp = comparatorFor(t), le = l.eval, re = r.eval;
      const distinct = e.kind === 'AEXPR_DISTINCT';
      return expr('bool', (row, ctx) => {
        const a = le(row, ctx), b = re(row, ctx);
        const same = a === null || b === null ? a === b : cmp(a, b) === 0;
        return same !== distinct;
      });
    }
    case 'AEXPR_NULLIF': {
      const l = compile(e.lexpr!, scope);
      const [, r, t] = unifyPair('=', l, compile(e.rexpr!, scope));
      const cmp = comparatorFor(t), cast = castFunction(l.type, t, -1, false);
      const le = l.type === 'unknown' && l.konst ? retype(l, t).eval : l.eval, re = r.eval;
      // the result has the left operand's type after the = operator's coercion: the common type,
      // unless a cross-type = takes the left as it is (integers, floats, date/times)
      const family = (x: SqlType): string => (x === 'int2' || x === 'int4' || x === 'int8' ? 'int' : x === 'float4' || x === 'float8' ? 'float' : isDateTimeType(x) ? 'datetime' : x);
      const crossType = family(l.type) === family(t) && family(t) !== t;
      const out = l.type === 'unknown' ? t : crossType ? l.type : t;
      const toOut = out === l.type ? (v: Value) => v : cast;
      return expr(out, (row, ctx) => {
        const a = le(row, ctx);
        // NullIfExpr computes both arguments
        const b = re(row, ctx);
        if (a === null) return null;
        return b !== null && cmp(cast(a), b) === 0 ? null : toOut(a);
      });
    }
    case 'AEXPR_IN': return compileIn(e, op, scope);
    case 'AEXPR_LIKE': case 'AEXPR_ILIKE': return compileLike(e, op, scope);
    case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': case 'AEXPR_BETWEEN_SYM': case 'AEXPR_NOT_BETWEEN_SYM': {
      const [lo, hi] = listItems(e.rexpr).map((n) => compile(n, scope));
      const a = compile(e.lexpr!, scope);
      const not = e.kind === 'AEXPR_NOT_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN_SYM';
      const range = (x: Expr, y: Expr): Expr => not
        ? or([compileComparison('<', a, x), compileComparison('>', a, y)])
        : and([compileComparison('>=', a, x), compileComparison('<=', a, y)]);
      if (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN') return range(lo, hi);
      // SYMMETRIC: either order of the bounds.
      return not ? and([range(lo, hi), range(hi, lo)]) : or([range(lo, hi), range(hi, lo)]);
    }
    // the parser wraps the pattern in similar_to_escape(…), which translates it to a POSIX regex
    case 'AEXPR_SIMILAR': return compileRegexMatch(op, compile(e.lexpr!, scope), compile(e.rexpr!, scope));
    case 'AEXPR_OP_ANY': case 'AEXPR_OP_ALL': return compileAnyAll(op, e.kind === 'AEXPR_OP_ALL', compile(e.lexpr!, scope), compile(e.rexpr!, scope));
    default: throw featureNotSupported(`operator ${op}`);
  }
}

function compileArithmetic(op: string, left: Expr, right: Expr): Expr {
  // An untyped operand takes the other side's type; two untyped ones are numbers at run time.
  let l = left, r = right;
  if (l.type === 'unknown' && r.type !== 'unknown') l = retype(l, untypedOperand(op, r.type) ?? r.type);
  else if (r.type === 'unknown' && l.type !== 'unknown') r = retype(r, untypedOperand(op, l.type) ?? l.type);
  else if (l.type === 'unknown') { l = retype(l, 'numeric'); r = retype(r, 'numeric'); }
  const { type, operand, fn } = arithmetic(op, l.type, r.type);
  const le = retype(l, operand[0]).eval, re = retype(r, operand[1]).eval;
  return expr(type, (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return (re(row, ctx), null);
    const b = re(row, ctx);
    return b === null ? null : fn(a, b);
  });
}

function compileConcat(l: Expr, r: Expr): Expr {
  if (l.type === 'jsonb' && (r.type === 'jsonb' || r.type === 'unknown')) return compileJsonOperator('||', l, r);
  // unknown || jsonb resolves to jsonb || jsonb, as in PostgreSQL (not text concatenation)
  if (l.type === 'unknown' && r.type === 'jsonb') return compileJsonOperator('||', retype(l, 'jsonb'), r);
  const textish = (t: SqlType): boolean => isTextType(t) || t === 'unknown';
  checkCharConcat(l.type, r.type);
  if (!textish(l.type) && !textish(r.type)) throw operatorError('||', l.type, r.type);
  const le = l.eval, re = r.eval, lt = l.type, rt = r.type;
  // bpchar meets text through its cast to text, which drops the padding
  const str = (v: Value, t: SqlType): string => (typeof v === 'string' ? (t === 'bpchar' ? stripBpchar(v) : v) : toText(v, t));
  return expr('text', (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return (re(row, ctx), null);
    const b = re(row, ctx);
    return b === null ? null : str(a, lt) + str(b, rt);
  });
}

function compileLike(e: A_Expr, op: string, scope: Scope): Expr {
  const insensitive = e.kind === 'AEXPR_ILIKE';
  const negated = op.startsWith('!');
  let patternNode = e.rexpr!;
  let escape: Expr | undefined;
  if ('FuncCall' in patternNode && funcName(patternNode.FuncCall) === 'like_escape') {
    const args = patternNode.FuncCall.args ?? [];
    patternNode = args[0];
    escape = retype(compile(args[1], scope), 'text');
  }
  const l = compile(e.lexpr!, scope), p = compile(patternNode, scope);
  const textish = (t: SqlType): boolean => isTextType(t) || t === 'unknown';
  if (!textish(l.type) || !textish(p.type)) throw operatorError(op, l.type, p.type);
  // bpchar LIKE matches the padded value (PostgreSQL's bpcharlike)
  const le = l.type === 'bpchar' ? l.eval : retype(l, 'text').eval;
  let match: (s: string, row: readonly Value[], ctx: EvalContext) => boolean | null;
  if (p.konst && (!escape || escape.konst)) {
    if (p.value === null || escape?.value === null) return constant(null, 'bool');
    const re = likeRegExp(p.value as string, escape ? (escape.value as string) : null, insensitive);
    match = (s) => re.test(s);
  } else {
    const pe = retype(p, 'text').eval, ee = escape?.eval;
    let lastKey = '', lastRe: RegExp | undefined;
    match = (s, row, ctx) => {
      const pat = pe(row, ctx), esc = ee ? ee(row, ctx) : '\\';
      if (pat === null || esc === null) return null;
      const key = `${esc as string}\u0000${pat as string}`;
      if (key !== lastKey || !lastRe) {
        lastRe = likeRegExp(pat as string, esc as string, insensitive);
        lastKey = key;
      }
      return lastRe.test(s);
    };
  }
  return expr('bool', (row, ctx) => {
    const s = le(row, ctx);
    if (s === null) return null;
    const m = match(s as string, row, ctx);
    return m === null ? null : m !== negated;
  });
}

function compileIn(e: A_Expr, op: string, scope: Scope): Expr {
  const items = listItems(e.rexpr).map((n) => compile(n, scope));
  let left = compile(e.lexpr!, scope);
  // Resolve like PostgreSQL: a common type when all operands agree, else per-item `=` errors.
  let t: SqlType;
  try {
    t = commonType([left.type, ...items.map((i) => i.type)], 'IN');
  } catch {
    for (const i of items) unifyPair('=', left, i);
    throw operatorError('=', left.type, items[0].type);
  }
  if (left.type === 'unknown' && !left.konst && items.every((i) => i.type === 'unknown' && i.konst)) t = 'unknown';
  left = retype(left, t);
  const typed = items.map((i) => retype(i, t));
  const le = left.eval;
  const negated = op === '<>';
  let test: Evaluator;
  if (typed.every((i) => i.konst) && strictEqualityWorks(t)) {
    const set = new Set(typed.map((i) => i.value).filter((v) => v !== null));
    const hasNull = typed.some((i) => i.value === null);
    test = (row, ctx) => {
      const a = le(row, ctx);
      if (a === null) return null;
      return set.has(a) ? true : hasNull ? null : false;
    };
  } else {
    const cmp = comparatorFor(t), evals = typed.map((i) => i.eval);
    test = (row, ctx) => {
      const a = le(row, ctx);
      if (a === null) return null;
      let sawNull = false;
      for (const ev of evals) {
        const b = ev(row, ctx);
        if (b === null) sawNull = true;
        else if (cmp(a, b) === 0) return true;
      }
      return sawNull ? null : false;
    };
  }
  if (!negated) return expr('bool', test);
  return expr('bool', (row, ctx) => {
    const v = test(row, ctx);
    return v === null ? null : !v;
  });
}
