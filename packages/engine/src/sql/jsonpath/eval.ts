/**
 * jsonpath execution (PostgreSQL's jsonpath_exec.c): lax and strict modes, accessors with lax
 * auto-unwrapping and auto-wrapping, filters and three-valued predicates, exact numeric arithmetic
 * and the item methods. Items are walrtc jsonb values (JSON null is null inside); results are
 * appended to `out` as they are found, so an error keeps what came before it, as in PostgreSQL.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { Numeric } from '../numeric.ts';
import { compareJsonbKeys } from '../values.ts';
import { translate } from '../functions/string.ts';
import { isJsonObject, jsonbKind, jsonbNumber, nested } from '../types/jsonb.ts';
import type { Value } from '../types.ts';
import { LAST_LEVEL, type Item, type JsonPath } from './parse.ts';

/** An error silent mode suppresses (PostgreSQL's RETURN_ERROR): inside predicates it means "unknown". */
export class JsonPathError extends SqlError {}

const fail = (code: string, message: string): JsonPathError => new JsonPathError(code, message);

type Bool = true | false | null;

interface Ctx {
  strict: boolean;
  /**
   * Lax jsonb_path_exists: PostgreSQL runs it without a result list, so it stops at the first item
   * found (later errors are not raised) and a unary operator skips non-numbers.
   */
  existsOnly: Value[] | undefined;
  root: Value;
  vars: Record<string, Value> | undefined;
  current: Value;
  /** Size of the innermost array being subscripted (for `last`), -1 outside subscripts. */
  arraySize: number;
  /** Set inside .** at level 0: structural errors are ignored there even in strict mode. */
  ignoreStructural: boolean;
}

const num = (v: Value): Numeric | undefined => {
  if (v instanceof Numeric) return v;
  if (typeof v === 'number') return Numeric.parse(String(v)) ?? Numeric.fromFloat(v);
  if (typeof v === 'bigint') return Numeric.fromInt(v);
  return undefined;
};
const asJsonb = (n: Numeric): Value => jsonbNumber(n.toString());
const isNumber = (v: Value): boolean => jsonbKind(v) === 'number';
const ordered = (o: Record<string, Value>): string[] => Object.keys(o).sort(compareJsonbKeys);

/** Stops a lax existence check at its first item. */
class Found extends Error {}

function next(it: Item, v: Value, c: Ctx, out: Value[]): void {
  if (it.next) exec(it.next, v, c, out, !c.strict);
  else {
    out.push(v);
    if (out === c.existsOnly) throw new Found();
  }
}

/** Evaluate `it` (and what follows it) on `v`, lax-unwrapping an array target when `unwrap`. */
function exec(it: Item, v: Value, c: Ctx, out: Value[], unwrap: boolean): void {
  const structural = !c.strict || c.ignoreStructural;
  const unwrapArray = (): boolean => {
    if (!unwrap || !Array.isArray(v)) return false;
    for (const e of v) exec(it, e, c, out, false);
    return true;
  };
  switch (it.t) {
    case 'root': return next(it, c.root, c, out);
    case 'current': return next(it, c.current, c, out);
    case 'null': return next(it, null, c, out);
    case 'bool': return next(it, it.v, c, out);
    case 'num': return next(it, asJsonb(it.v), c, out);
    case 'str': return next(it, it.v, c, out);
    case 'var': return next(it, variable(it.name, c), c, out);
    case 'last': {
      if (c.arraySize < 0) throw new SqlError(SQLSTATE.internal_error, 'evaluating jsonpath LAST outside of array subscript');
      return next(it, c.arraySize - 1, c, out);
    }
    case 'key': {
      if (isJsonObject(v)) {
        if (Object.prototype.hasOwnProperty.call(v, it.name)) return next(it, v[it.name], c, out);
        if (!structural) throw fail('2203A', `JSON object does not contain key "${it.name}"`);
        return;
      }
      if (unwrapArray()) return;
      if (!structural) throw fail('2203A', 'jsonpath member accessor can only be applied to an object');
      return;
    }
    case 'anykey': {
      if (isJsonObject(v)) {
        for (const k of ordered(v)) next(it, v[k], c, out);
        return;
      }
      if (unwrapArray()) return;
      if (!structural) throw fail('2203C', 'jsonpath wildcard member accessor can only be applied to an object');
      return;
    }
    case 'anyarray': {
      if (Array.isArray(v)) {
        for (const e of v) next(it, e, c, out);
        return;
      }
      if (!c.strict) return next(it, v, c, out);
      if (!structural) throw fail('22039', 'jsonpath wildcard array accessor can only be applied to an array');
      return;
    }
    case 'index': return subscripts(it, v, c, out);
    case 'any': {
      if (it.first === 0) {
        const saved = c.ignoreStructural;
        c.ignoreStructural = true;
        try {
          next(it, v, c, out);
        } finally {
          c.ignoreStructural = saved;
        }
      }
      if (Array.isArray(v) || isJsonObject(v)) anyLevels(it, v, c, out, 1);
      return;
    }
    case 'filter': {
      if (unwrapArray()) return;
      const saved = c.current;
      c.current = v;
      let st: Bool;
      try {
        st = boolItem(it.pred, v, c);
      } finally {
        c.current = saved;
      }
      if (st === true) next(it, v, c, out);
      return;
    }
    case 'method': return method(it, v, c, out, unwrapArray);
    case 'datetime': {
      if (unwrapArray()) return;
      if (typeof v !== 'string') throw fail('22031', 'jsonpath item method .datetime() can only be applied to a string');
      throw featureNotSupported('jsonpath item method .datetime()');
    }
    case 'arith': return next(it, arithmetic(it, v, c), c, out);
    case 'unary': {
      for (const x of operand(it.arg, v, c)) {
        const n = num(x);
        if ((!isNumber(x) || !n) && out === c.existsOnly && !it.next) continue;
        if (!isNumber(x) || !n) throw fail('2203B', `operand of unary jsonpath operator ${it.op} is not a numeric value`);
        next(it, it.op === '-' ? asJsonb(n.neg()) : x, c, out);
      }
      return;
    }
    default:
      return next(it, boolItem(it, v, c), c, out);
  }
}

function variable(name: string, c: Ctx): Value {
  if (!c.vars || !Object.prototype.hasOwnProperty.call(c.vars, name)) {
    throw new SqlError(SQLSTATE.undefined_object, `could not find jsonpath variable "${name}"`);
  }
  return c.vars[name];
}

/** An operand's items, arrays unwrapped one level in lax mode. */
function operand(it: Item, v: Value, c: Ctx): Value[] {
  const items: Value[] = [];
  exec(it, v, c, items, !c.strict);
  return c.strict ? items : items.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

function arithmetic(it: Item & { t: 'arith' }, v: Value, c: Ctx): Value {
  const l = operand(it.l, v, c), r = operand(it.r, v, c);
  const single = (xs: Value[], side: string): Numeric => {
    const n = xs.length === 1 && isNumber(xs[0]) ? num(xs[0]) : undefined;
    if (!n) throw fail('22038', `${side} operand of jsonpath operator ${it.op} is not a single numeric value`);
    return n;
  };
  const a = single(l, 'left'), b = single(r, 'right');
  let res: Numeric;
  switch (it.op) {
    case '+': res = a.add(b); break;
    case '-': res = a.sub(b); break;
    case '*': res = a.mul(b); break;
    case '/':
      if (b.sign === 0) throw fail(SQLSTATE.division_by_zero, 'division by zero');
      res = a.div(b);
      break;
    default:
      if (b.sign === 0) throw fail(SQLSTATE.division_by_zero, 'division by zero');
      res = a.mod(b);
  }
  return asJsonb(res);
}

/** The integer value of a subscript expression. */
function subscript(it: Item, v: Value, c: Ctx): number {
  const items: Value[] = [];
  exec(it, v, c, items, !c.strict);
  const n = items.length === 1 && isNumber(items[0]) ? num(items[0]) : undefined;
  if (!n) throw fail('22033', 'jsonpath array subscript is not a single numeric value');
  const i = n.trunc().toBigInt();
  if (i === undefined || i > 2147483647n || i < -2147483648n) throw fail('22033', 'jsonpath array subscript is out of integer range');
  return Number(i);
}

function subscripts(it: Item & { t: 'index' }, v: Value, c: Ctx, out: Value[]): void {
  const isArray = Array.isArray(v);
  if (!isArray && c.strict) {
    if (!(c.ignoreStructural)) throw fail('22039', 'jsonpath array accessor can only be applied to an array');
    return;
  }
  const elems = isArray ? (v as Value[]) : [v];
  const size = elems.length;
  const saved = c.arraySize;
  c.arraySize = size;
  try {
    for (const s of it.subs) {
      let from = subscript(s.from, v, c);
      let to = s.to ? subscript(s.to, v, c) : from;
      if (from < 0 || from > to || to >= size) {
        if (c.strict && !c.ignoreStructural) throw fail('22033', 'jsonpath array subscript is out of bounds');
      }
      if (from < 0) from = 0;
      if (to >= size) to = size - 1;
      for (let i = from; i <= to; i++) {
        c.arraySize = saved;
        try {
          next(it, elems[i], c, out);
        } finally {
          c.arraySize = size;
        }
      }
    }
  } finally {
    c.arraySize = saved;
  }
}

function anyLevels(it: Item & { t: 'any' }, v: Value, c: Ctx, out: Value[], level: number): void {
  if (level > it.last) return;
  const values = Array.isArray(v) ? v : ordered(v as Record<string, Value>).map((k) => (v as Record<string, Value>)[k]);
  for (const e of values) {
    const container = Array.isArray(e) || isJsonObject(e);
    if (level >= it.first || (it.first === LAST_LEVEL && it.last === LAST_LEVEL && !container)) {
      const saved = c.ignoreStructural;
      c.ignoreStructural = true;
      try {
        if (it.next) exec(it.next, e, c, out, !c.strict);
        else out.push(e);
      } finally {
        c.ignoreStructural = saved;
      }
    }
    if (level < it.last && container) anyLevels(it, e, c, out, level + 1);
  }
}

const TYPE_NAMES: Record<string, string> = { null: 'null', boolean: 'boolean', number: 'number', string: 'string', array: 'array', object: 'object' };

function method(it: Item & { t: 'method' }, v: Value, c: Ctx, out: Value[], unwrapArray: () => boolean): void {
  switch (it.name) {
    case 'type': return next(it, TYPE_NAMES[jsonbKind(v)]!, c, out);
    case 'size': {
      if (Array.isArray(v)) return next(it, v.length, c, out);
      if (c.strict && !c.ignoreStructural) throw fail('22039', 'jsonpath item method .size() can only be applied to an array');
      return next(it, 1, c, out);
    }
    case 'abs': case 'floor': case 'ceiling': {
      if (unwrapArray()) return;
      const n = isNumber(v) ? num(v) : undefined;
      if (!n) throw fail('22036', `jsonpath item method .${it.name}() can only be applied to a numeric value`);
      return next(it, asJsonb(it.name === 'abs' ? n.abs() : it.name === 'floor' ? n.floor() : n.ceil()), c, out);
    }
    case 'double': {
      if (unwrapArray()) return;
      if (isNumber(v)) {
        if (!Number.isFinite(num(v)!.toFloat())) throw fail('22036', 'numeric argument of jsonpath item method .double() is out of range for type double precision');
        return next(it, v, c, out);
      }
      if (typeof v !== 'string') throw fail('22036', 'jsonpath item method .double() can only be applied to a string or numeric value');
      const d = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(d)) throw fail('22036', 'string argument of jsonpath item method .double() is not a valid representation of a double precision number');
      return next(it, asJsonb(Numeric.fromFloat(d)), c, out);
    }
    case 'keyvalue': {
      if (unwrapArray()) return;
      if (!isJsonObject(v)) throw fail('2203C', 'jsonpath item method .keyvalue() can only be applied to an object');
      // PostgreSQL numbers each object by its byte offset inside the stored jsonb
      if (v !== c.root && Object.keys(v).length > 0) throw featureNotSupported('jsonpath item method .keyvalue() below the top-level object');
      for (const k of ordered(v)) next(it, { id: 0, key: k, value: v[k] }, c, out);
      return;
    }
  }
}

/** A predicate's value: true, false or unknown (null); operand errors make it unknown. */
function boolItem(it: Item, v: Value, c: Ctx): Bool {
  switch (it.t) {
    case 'and': {
      const l = boolItem(it.l, v, c);
      if (l === false) return false;
      const r = boolItem(it.r, v, c);
      return r === true ? l : r === false ? false : null;
    }
    case 'or': {
      const l = boolItem(it.l, v, c);
      if (l === true) return true;
      const r = boolItem(it.r, v, c);
      return r === false ? l : r === true ? true : null;
    }
    case 'not': {
      const a = boolItem(it.arg, v, c);
      return a === null ? null : !a;
    }
    case 'isunknown': return boolItem(it.arg, v, c) === null;
    case 'exists': {
      const items: Value[] = [];
      try {
        exec(it.arg, v, c, items, !c.strict);
      } catch (e) {
        if (e instanceof JsonPathError) return null;
        throw e;
      }
      return items.length > 0;
    }
    case 'cmp': return predicate(it.l, it.r, true, v, c, (a, b) => compare(it.op, a, b));
    case 'startswith': return predicate(it.l, it.r, false, v, c, (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : null));
    case 'likeregex': {
      const re = likeRegex(it.pattern, it.flags);
      return predicate(it.arg, undefined, false, v, c, (a) => (typeof a === 'string' ? re.test(a) : null));
    }
    default: throw new SqlError(SQLSTATE.syntax_error, 'syntax error at or near "?" of jsonpath input');
  }
}

function noThrow(it: Item, v: Value, c: Ctx, unwrap: boolean): Value[] | undefined {
  try {
    const items: Value[] = [];
    exec(it, v, c, items, !c.strict);
    return unwrap && !c.strict ? items.flatMap((x) => (Array.isArray(x) ? x : [x])) : items;
  } catch (e) {
    if (e instanceof JsonPathError) return undefined;
    throw e;
  }
}

function predicate(l: Item, r: Item | undefined, unwrapRight: boolean, v: Value, c: Ctx, test: (a: Value, b: Value) => Bool): Bool {
  const ls = noThrow(l, v, c, true);
  if (!ls) return null;
  const rs = r ? noThrow(r, v, c, unwrapRight) : [undefined];
  if (!rs) return null;
  let error = false, found = false;
  for (const a of ls) {
    for (const b of rs) {
      const res = test(a, b);
      if (res === null) {
        if (c.strict) return null;
        error = true;
      } else if (res) {
        if (!c.strict) return true;
        found = true;
      }
    }
  }
  return found ? true : error ? null : false;
}

function compare(op: string, a: Value, b: Value): Bool {
  const ka = jsonbKind(a), kb = jsonbKind(b);
  if (ka !== kb) {
    if (ka === 'null' || kb === 'null') return op === '!=';
    return null;
  }
  let cmp: number;
  switch (ka) {
    case 'null': cmp = 0; break;
    case 'boolean': cmp = a === b ? 0 : a ? 1 : -1; break;
    case 'number': cmp = Numeric.compare(num(a)!, num(b)!); break;
    case 'string': cmp = a === b ? 0 : (a as string) < (b as string) ? -1 : 1; break;
    default: return null;
  }
  switch (op) {
    case '==': return cmp === 0;
    case '!=': return cmp !== 0;
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    default: return cmp >= 0;
  }
}

const regexes = new Map<string, RegExp>();

function likeRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexes.get(key);
  if (re) return re;
  if (flags.includes('x')) throw featureNotSupported('the "x" flag of like_regex');
  const source = flags.includes('q') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : translate(pattern);
  try {
    re = new RegExp(source, 'u' + (flags.includes('i') ? 'i' : '') + (flags.includes('s') ? 's' : '') + (flags.includes('m') ? 'm' : ''));
  } catch {
    throw new SqlError('2201B', `invalid regular expression: ${pattern}`);
  }
  if (regexes.size > 200) regexes.clear();
  regexes.set(key, re);
  return re;
}

/**
 * Run a path over a jsonb document. Items found before a suppressed error stay in `out`; the
 * result says whether one happened (silent mode) — unsuppressed errors are thrown.
 */
export function runJsonPath(path: JsonPath, doc: Value, vars: Value, silent: boolean, out: Value[], existsOnly = false): 'ok' | 'error' {
  if (vars !== undefined && vars !== null && !isJsonObject(nested(vars))) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, '"vars" argument is not an object', {
      detail: 'Jsonpath parameters should be encoded as key-value pairs of "vars" object.',
    });
  }
  const root = nested(doc);
  const c: Ctx = { strict: path.strict, root, vars: vars === undefined || vars === null ? undefined : (nested(vars) as Record<string, Value>), current: root, arraySize: -1, ignoreStructural: false, existsOnly: existsOnly && !path.strict ? out : undefined };
  try {
    exec(path.root, root, c, out, !c.strict);
    return 'ok';
  } catch (e) {
    if (e instanceof Found) return 'ok';
    if (silent && e instanceof JsonPathError) return 'error';
    throw e;
  }
}
