/**
 * The SQL side of jsonpath: the `jsonpath` type (a value is its normalised text), the functions
 * jsonb_path_exists / _match / _query_array / _query_first, the set-returning jsonb_path_query, and
 * the operators `@?` and `@@` (their silent forms), with PostgreSQL's argument rules.
 */
import type { FuncCall, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { foldConstant } from '../fold/fold.ts';
import type { JsonSet } from '../functions/json-sets.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { topLevel } from '../types/jsonb.ts';
import { runJsonPath } from './eval.ts';
import { parseJsonPath } from './parse.ts';
import { printJsonPath } from './print.ts';

/** jsonpath_in: the normalised text, which is what a jsonpath value holds. */
export function jsonPathInput(text: string): string {
  return printJsonPath(parseJsonPath(text));
}

type Kind = 'exists' | 'match' | 'array' | 'first';
const FUNCTIONS: Record<string, Kind> = {
  jsonb_path_exists: 'exists', jsonb_path_match: 'match', jsonb_path_query_array: 'array', jsonb_path_query_first: 'first',
};
const RESULT: Record<Kind, SqlType> = { exists: 'bool', match: 'bool', array: 'jsonb', first: 'jsonb' };
const PARAMS: SqlType[] = ['jsonb', 'jsonpath', 'jsonb', 'bool'];

function noSuchFunction(name: string, args: Expr[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** The arguments coerced to (jsonb, jsonpath [, vars jsonb [, silent bool]]). */
function pathArgs(name: string, args: Expr[]): Expr[] {
  if (args.length < 2 || args.length > 4 || !args.every((a, i) => a.type === 'unknown' || a.type === PARAMS[i])) throw noSuchFunction(name, args);
  return args.map((a, i) => retype(a, PARAMS[i]!));
}

/** Run the path: the items found (before a suppressed error) and whether one happened. */
function run(vals: Value[], existsOnly = false): { items: Value[]; failed: boolean } {
  const [doc, path, vars, silent] = vals;
  const items: Value[] = [];
  const failed = runJsonPath(parseJsonPath(path as string), doc, vars ?? undefined, silent === true, items, existsOnly) === 'error';
  return { items, failed };
}

function result(kind: Kind, vals: Value[]): Value {
  const { items, failed } = run(vals, kind === 'exists');
  switch (kind) {
    case 'exists': return failed ? null : items.length > 0;
    case 'match': {
      if (items.length === 1 && (typeof items[0] === 'boolean' || items[0] === null)) return items[0];
      if (vals[3] === true) return null;
      throw new SqlError('22038', 'single boolean result is expected');
    }
    case 'array': return items;
    case 'first': return items.length ? topLevel(items[0]) : null;
  }
}

/** jsonb_path_exists, _match, _query_array and _query_first; undefined for other names. */
export function compileJsonPathFunction(name: string, args: Expr[]): Expr | undefined {
  const kind = FUNCTIONS[name];
  if (!kind) return undefined;
  const typed = pathArgs(name, args);
  const evals = typed.map((a) => a.eval);
  const call = expr(RESULT[kind], (row, ctx) => {
    const vals = evals.map((e) => e(row, ctx));
    // strict functions: any NULL argument gives NULL
    if (vals.some((v) => v === null)) return null;
    return result(kind, vals);
  });
  return typed.every((a) => a.konst) ? foldConstant(call) : call;
}

/** `jsonb @? jsonpath` and `jsonb @@ jsonpath`: jsonb_path_exists / _match with silent true. */
export function isJsonPathOperator(op: string, l: SqlType, r: SqlType): boolean {
  return (op === '@?' || op === '@@') && (l === 'jsonb' || l === 'unknown') && (r === 'jsonpath' || r === 'unknown');
}

export function compileJsonPathOperator(op: string, l: Expr, r: Expr): Expr {
  const doc = retype(l, 'jsonb').eval, path = retype(r, 'jsonpath').eval;
  const kind: Kind = op === '@?' ? 'exists' : 'match';
  return expr('bool', (row, ctx) => {
    const d = doc(row, ctx);
    if (d === null) return null;
    const p = path(row, ctx);
    return p === null ? null : result(kind, [d, p, undefined, true]);
  });
}

/** jsonb_path_query in FROM or the select list: one row per item found. */
export function jsonPathQuerySet(name: string, args: Expr[]): JsonSet {
  return {
    args: pathArgs(name, args),
    columns: [{ name, type: 'jsonb' }],
    run: (vals) => run(vals).items.map((v) => [topLevel(v)]),
  };
}

const PARAM_NAMES = ['target', 'path', 'vars', 'silent'];
const PATH_FUNCTIONS = new Set(['jsonb_path_query', ...Object.keys(FUNCTIONS)]);

/**
 * A jsonb_path_* call with named arguments (`silent => true`) as the positional call it stands
 * for, `vars` defaulting to `'{}'` as in PostgreSQL's declaration; other calls come back as they are.
 */
export function positionalPathCall(f: FuncCall): FuncCall {
  const args = f.args ?? [];
  const name = (f.funcname ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : '')).pop()?.toLowerCase() ?? '';
  if (!args.some((a) => 'NamedArgExpr' in a) || !PATH_FUNCTIONS.has(name)) return f;
  const placed: (Node | undefined)[] = [];
  let named = false;
  args.forEach((a, i) => {
    if (!('NamedArgExpr' in a)) {
      if (named) throw new SqlError(SQLSTATE.syntax_error, 'positional argument cannot follow named argument');
      placed[i] = a;
      return;
    }
    named = true;
    const at = PARAM_NAMES.indexOf(a.NamedArgExpr.name ?? '');
    if (at < 0 || placed[at]) throw new SqlError(SQLSTATE.undefined_function, `function ${name} has no parameter named "${a.NamedArgExpr.name}"`);
    placed[at] = a.NamedArgExpr.arg;
  });
  if (placed[3] && !placed[2]) placed[2] = { A_Const: { sval: { sval: '{}' } } };
  const missing = Array.from({ length: Math.max(placed.length, 2) }, (_, i) => i).some((i) => !placed[i]);
  if (missing) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name} requires the target and path arguments`);
  }
  return { ...f, args: placed as Node[] };
}
