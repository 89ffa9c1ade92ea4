/**
 * Expression and partial indexes: CREATE INDEX … ON t (lower(email)) / (a, (b + 1)) … WHERE pred.
 * Owns what the SQL layer knows about them: checking the key expressions and predicate when the
 * index is created (IMMUTABLE functions only, PostgreSQL's 42P17; no aggregates, 42803), their
 * stored form (column references reduced to bare column names, so the same expression written
 * in a query matches), the text PostgreSQL prints for them in a key, and compiling them into the
 * key functions the state's IndexData evaluates (registered with the state below).
 */
import type { IndexStmt, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { IndexDef, TableDef } from '../catalog/types.ts';
import { registerIndexExpressions, type IndexExpressions, type TableData } from '../state/state.ts';
import { compileExpr, funcName } from './expr.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';
import { strings } from './names.ts';
import { deparse } from './plan/explain.ts';
import type { EvalContext } from './scope.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';

/** Functions PostgreSQL marks IMMUTABLE that walrtc has: usable in index expressions and predicates. */
const IMMUTABLE = new Set([
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'abs', 'md5', 'btrim', 'ltrim', 'rtrim',
  'left', 'right', 'substr', 'substring', 'replace', 'split_part', 'lpad', 'rpad', 'reverse', 'repeat', 'initcap',
  'translate', 'strpos', 'position', 'ascii', 'chr', 'round', 'trunc', 'floor', 'ceil', 'ceiling', 'sign', 'mod', 'sqrt',
  'power', 'jsonb_extract_path', 'jsonb_extract_path_text', 'jsonb_typeof', 'jsonb_array_length', 'array_length',
  'cardinality', 'date_trunc', 'date_part', 'extract', 'make_date',
]);
/** Of those, the ones that are only STABLE when given a timestamptz (they read the session's time zone). */
const ZONED = new Set(['date_trunc', 'date_part', 'extract']);
/** Casts between these and timestamptz, or from text to a date/time type, read session settings: STABLE. */
const DATETIME: ReadonlySet<SqlType> = new Set(['date', 'timestamp', 'timestamptz', 'text', 'varchar', 'unknown']);

const NO_SUBQUERIES: SubqueryPlanner = {
  planSubquery() { throw new SqlError(SQLSTATE.feature_not_supported, 'cannot use subquery in index expression'); },
  functions() { return undefined; },
};

const CONTEXT: EvalContext = { params: [], now: new Date(0) };

function tableScope(table: TableDef, clause: string): RowScope {
  const scope = new RowScope([{ alias: table.name, columns: table.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0 }], table.columns.length, NO_SUBQUERIES);
  scope.clause = clause;
  return scope;
}

/** The node's text with source positions left out: equal for the same expression wherever it is written. */
export function canonicalText(node: Node): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'location' ? undefined : v));
}

/**
 * A copy of `node` whose column references are bare column names, through `resolve` (a
 * reference's fields → the column's name, or undefined when it is not one of the table's).
 * Undefined when a reference does not resolve.
 */
export function bareColumns(node: Node, resolve: (fields: readonly string[]) => string | undefined): Node | undefined {
  let ok = true;
  const copy = JSON.parse(JSON.stringify(node, (k, v: unknown) => {
    if (k !== 'ColumnRef' || !ok) return v;
    const fields = (v as { fields?: Node[] }).fields ?? [];
    const name = fields.every((f) => 'String' in f) ? resolve(strings(fields)) : undefined;
    if (name === undefined) ok = false;
    return { fields: [{ String: { sval: name ?? '' } }] };
  })) as Node;
  return ok ? copy : undefined;
}

/** Whether an index's expressions or predicate read the column (dropping it drops the index, as in PostgreSQL). */
export function indexReads(def: IndexDef, column: string): boolean {
  const reads = (n: Node | null | undefined) => !!n && bareColumns(n, (f) => (f[f.length - 1] === column ? undefined : '')) === undefined;
  return (def.exprs ?? []).some(reads) || reads(def.where);
}

/** `lower(email)` stays as written; other expressions are parenthesised, as PostgreSQL prints index keys. */
function keyText(node: Node): string {
  const text = deparse(node);
  return 'FuncCall' in node || text.startsWith('(') ? text : `(${text})`;
}

/** PostgreSQL's 42P17 (a function that is not IMMUTABLE), 0A000 for a function walrtc cannot vouch for. */
function checkImmutable(node: Node, table: TableDef, where: 'expression' | 'predicate'): void {
  const scope = tableScope(table, where === 'expression' ? 'index expressions' : 'index predicates');
  const mutable = () => new SqlError('42P17', `functions in index ${where} must be marked IMMUTABLE`);
  const typeOf = (n: Node | undefined): SqlType => (n ? compileExpr(n, scope).type : 'unknown');
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) { n.forEach(visit); return; }
    const o = n as Record<string, unknown>;
    if ('SQLValueFunction' in o) throw mutable();
    if ('SubLink' in o) throw new SqlError(SQLSTATE.feature_not_supported, `cannot use subquery in index ${where}`);
    if ('FuncCall' in o) {
      const name = funcName(o.FuncCall as never);
      const args = ((o.FuncCall as { args?: Node[] }).args ?? []);
      if (!IMMUTABLE.has(name)) {
        // aggregates and unknown names get the compiler's own errors (42803, 42883) first
        compileExpr(n as Node, scope);
        if (['now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday', 'random', 'gen_random_uuid', 'nextval', 'currval', 'lastval', 'setval', 'concat', 'concat_ws', 'format', 'to_char', 'age', 'array_to_string'].includes(name)) throw mutable();
        throw new SqlError(SQLSTATE.feature_not_supported, `function ${name} in an index ${where} is not supported`);
      }
      if (ZONED.has(name) && args.some((a) => typeOf(a) === 'timestamptz')) throw mutable();
    }
    if ('TypeCast' in o) {
      const cast = o.TypeCast as { arg?: Node };
      const from = typeOf(cast.arg);
      const to = compileExpr(n as Node, scope).type;
      const zoned = (from === 'timestamptz' || to === 'timestamptz') && DATETIME.has(from) && DATETIME.has(to) && from !== to;
      const parsed = (from === 'text' || from === 'varchar') && (to === 'date' || to === 'timestamp');
      const printed = (to === 'text' || to === 'varchar') && (from === 'date' || from === 'timestamp' || from === 'timestamptz');
      if (zoned || parsed || printed) throw mutable();
    }
    if ('A_Expr' in o) {
      const e = o.A_Expr as { lexpr?: Node; rexpr?: Node };
      const types = [e.lexpr, e.rexpr].map((x) => (x && !('List' in x) ? typeOf(x) : 'unknown'));
      if (types.includes('timestamptz') && types.includes('interval')) throw mutable();
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(node);
}

/** The key columns and predicate of CREATE INDEX, checked against the table. */
export function indexElements(stmt: IndexStmt, table: TableData): Pick<IndexDef, 'columns' | 'exprs' | 'where'> & { names: string[] } {
  const def = table.def;
  const resolve = (fields: readonly string[]): string | undefined => {
    const name = fields[fields.length - 1]!;
    if (fields.length > 1 && fields[fields.length - 2] !== def.name) return undefined;
    return table.column(name) >= 0 ? name : undefined;
  };
  const columns: string[] = [];
  const names: string[] = [];
  const exprs: (Node | null)[] = [];
  for (const p of stmt.indexParams ?? []) {
    const e = (p as { IndexElem: { name?: string; expr?: Node } }).IndexElem;
    if (e.name) {
      if (table.column(e.name) < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${e.name}" does not exist`);
      columns.push(e.name);
      names.push(e.name);
      exprs.push(null);
      continue;
    }
    // compiling first gives unknown columns and functions PostgreSQL's errors (42703, 42883, 42803)
    compileExpr(e.expr!, tableScope(def, 'index expressions'));
    checkImmutable(e.expr!, def, 'expression');
    const bare = bareColumns(e.expr!, resolve)!;
    columns.push(keyText(bare));
    names.push('FuncCall' in bare ? funcName(bare.FuncCall) : 'expr');
    exprs.push(bare);
  }
  let where: Node | undefined;
  if (stmt.whereClause) {
    const compiled = compileExpr(stmt.whereClause, tableScope(def, 'index predicates'));
    if (compiled.type !== 'bool' && compiled.type !== 'unknown') {
      throw new SqlError(SQLSTATE.datatype_mismatch, `argument of WHERE must be type boolean, not type ${TYPE_NAME[compiled.type]}`);
    }
    checkImmutable(stmt.whereClause, def, 'predicate');
    where = bareColumns(stmt.whereClause, resolve)!;
  }
  return { columns, names, ...(exprs.some((x) => x) ? { exprs } : {}), ...(where ? { where } : {}) };
}

registerIndexExpressions((def: IndexDef, table: TableDef): IndexExpressions => {
  const scope = tableScope(table, 'index expressions');
  const keys: ((row: readonly Value[]) => Value)[] = [];
  const types: SqlType[] = [];
  const texts: (string | undefined)[] = [];
  def.columns.forEach((name, i) => {
    const node = def.exprs?.[i];
    if (node) {
      const c = compileExpr(node, scope);
      keys.push((row) => c.eval(row, CONTEXT));
      types.push(c.type);
      texts.push(canonicalText(node));
    } else {
      const at = table.columns.findIndex((col) => col.name === name);
      keys.push((row) => row[at]);
      types.push(table.columns[at]!.type);
      texts.push(undefined);
    }
  });
  const out: IndexExpressions = { keys, types, texts };
  if (def.where) {
    const pred = compileExpr(def.where, scope);
    out.covers = (row) => pred.eval(row, CONTEXT) === true;
  }
  return out;
});
