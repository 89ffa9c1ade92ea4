/**
 * A set-returning function in the select list (`SELECT id, unnest(tags) FROM t`,
 * `SELECT generate_series(1, 3)`): planned as the same function joined LATERAL after the FROM
 * items, which yields PostgreSQL's rows for one such function of one result column. Several of
 * them, or one under grouping, DISTINCT, an aggregate, `*` or inside a larger expression, are
 * refused with 0A000 rather than given a different row set.
 */
import type { FuncCall, Node, SelectStmt } from '@pgsql/types';
import { featureNotSupported } from '../../errors.ts';
import { findAggregates } from '../group.ts';
import { lastName, outputName } from '../names.ts';
import { RECORD_SETS } from './sets.ts';

/** Set-returning functions of one result column (the ones the select list can hold). */
const SINGLE_COLUMN = new Set([
  'unnest', 'generate_series', 'jsonb_array_elements', 'jsonb_array_elements_text', 'json_array_elements',
  'json_array_elements_text', 'jsonb_object_keys', 'json_object_keys', ...Object.keys(RECORD_SETS),
]);
const MULTI_COLUMN = new Set(['jsonb_each', 'jsonb_each_text', 'json_each', 'json_each_text']);

const ALIAS = '*srf*';

function srfName(node: Node | undefined): string | undefined {
  if (!node || !('FuncCall' in node) || node.FuncCall.over) return undefined;
  const name = lastName(node.FuncCall.funcname).toLowerCase();
  return SINGLE_COLUMN.has(name) || MULTI_COLUMN.has(name) ? name : undefined;
}

/** Whether a set-returning function is anywhere inside `node` (sub-selects aside). */
function containsSrf(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  if ('SubLink' in node) return false;
  if (srfName(node as Node)) return true;
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some(containsSrf) : containsSrf(v)));
}

/** The statement with its select-list set-returning function moved into FROM, or undefined when it has none. */
export function targetListSrf(stmt: SelectStmt): SelectStmt | undefined {
  const targets = stmt.targetList ?? [];
  if (!targets.some(containsSrf)) return undefined;
  const at = targets.filter((t) => 'ResTarget' in t && srfName(t.ResTarget.val)).length;
  const refuse = (why: string) => featureNotSupported(`set-returning functions in the select list ${why}`);
  if (at !== 1 || targets.filter(containsSrf).length !== 1) throw refuse('other than one, standing alone in its column');
  if (stmt.groupClause?.length || stmt.havingClause || stmt.distinctClause || targets.some((t) => findAggregates(t).length)) {
    throw refuse('with GROUP BY, HAVING, DISTINCT or aggregates');
  }
  if (targets.some((t) => 'ResTarget' in t && t.ResTarget.val && 'ColumnRef' in t.ResTarget.val && t.ResTarget.val.ColumnRef.fields?.some((f) => 'A_Star' in f))) {
    throw refuse('beside *');
  }
  if ((stmt.sortClause ?? []).some(containsSrf)) throw refuse('in ORDER BY');
  let call: FuncCall | undefined;
  let column = '';
  const targetList = targets.map((t): Node => {
    if (!('ResTarget' in t) || !srfName(t.ResTarget.val)) return t;
    const name = srfName(t.ResTarget.val)!;
    if (MULTI_COLUMN.has(name)) throw refuse(`returning records (${name})`);
    call = (t.ResTarget.val as { FuncCall: FuncCall }).FuncCall;
    column = t.ResTarget.name ?? outputName(t.ResTarget.val);
    return { ResTarget: { ...t.ResTarget, name: column, val: { ColumnRef: { fields: [{ String: { sval: ALIAS } }, { String: { sval: column } }] } } } };
  });
  const item: Node = {
    RangeFunction: {
      // after the FROM items it runs once per row of the item before it, as the select list would
      lateral: (stmt.fromClause ?? []).length > 0,
      functions: [{ List: { items: [{ FuncCall: call! }, {} as Node] } }],
      alias: { aliasname: ALIAS, colnames: [{ String: { sval: column } }] },
    },
  };
  return { ...stmt, targetList, fromClause: [...(stmt.fromClause ?? []), item] };
}
