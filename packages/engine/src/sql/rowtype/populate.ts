/**
 * json(b)_populate_record(set) in FROM with a table's row type or a composite type (composite/): `json_populate_record(null::jpop,
 * '{"a": 1}')` or over a base record `row(…)::jpop`, whose fields fill the columns the JSON object
 * lacks. The columns are the table's, converted as json(b)_to_record's (functions/json-record.ts).
 * A table's base must be a cast of NULL or of ROW(…) to its name (other bases are refused, 0A000);
 * a composite's is any expression cast to the type.
 */
import type { FuncCall, Node, TypeCast } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { TableDef } from '../../catalog/types.ts';
import { castFunction } from '../cast.ts';
import { retype, type Expr } from '../compiled.ts';
import { functionCatalog } from '../function/context.ts';
import { strings } from '../names.ts';
import { relationKey } from '../schema/keys.ts';
import type { RowTypeRef, Scope } from '../scope.ts';
import { rowTypeOf } from './row-type.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { fieldColumns, recordRows } from '../functions/json-record.ts';
import { compositeOf, compositeType, lookupCompositeType, typeOfTable, type CompositeType } from '../composite/type.ts';
import type { RowValue } from '../types/record.ts';
import { ownName } from '../schema/keys.ts';
import type { JsonSet } from '../functions/json-sets.ts';

/** name → [JSON input type, a set of rows]. */
export const POPULATE: Record<string, [SqlType, boolean]> = {
  json_populate_record: ['json', false], jsonb_populate_record: ['jsonb', false],
  json_populate_recordset: ['json', true], jsonb_populate_recordset: ['jsonb', true],
};

/** The table a type name names, when it names one (its row type). */
function tableOfType(cast: TypeCast): TableDef | undefined {
  const state = functionCatalog()?.state;
  const tn = cast.typeName;
  if (!state || !tn || tn.arrayBounds?.length) return undefined;
  const names = strings(tn.names);
  if (names.length > 2) return undefined;
  const oid = state.tableNames.get(names.length === 2 ? relationKey(names[0]!, names[1]!) : names[0]!);
  return oid === undefined ? undefined : state.table(oid).def;
}

/** The base record's field evaluators: NULL, or ROW(…)'s fields converted to the columns' types. */
function baseFields(arg: Node | undefined, def: TableDef, scope: Scope, compile: (n: Node, scope: Scope) => Expr): Expr[] {
  if (arg && 'A_Const' in arg && arg.A_Const.isnull) return [];
  if (!arg || !('RowExpr' in arg)) throw featureNotSupported(`a base record other than NULL or ROW(…) cast to "${def.name}"`);
  const fields = (arg.RowExpr.args ?? []).map((a) => compile(a, scope));
  if (fields.length !== def.columns.length) {
    throw new SqlError(SQLSTATE.cannot_coerce, `cannot cast type record to ${def.name}`, {
      detail: `Input has ${fields.length > def.columns.length ? 'too many' : 'too few'} columns.`,
    });
  }
  return fields.map((f, i) => {
    const c = def.columns[i]!;
    const cast = castFunction(f.type, c.type, c.typmod, true);
    return retype({ ...f, eval: (row, ctx) => cast(f.eval(row, ctx)) as Value }, c.type);
  });
}

/** The FROM item's rows for `name(base::t, json)`; undefined when t is neither a table's row type nor a composite type. */
export function populateSet(name: string, call: FuncCall, scope: Scope, compile: (n: Node, scope: Scope) => Expr): (JsonSet & { rowType?: RowTypeRef }) | undefined {
  const [input, many] = POPULATE[name]!;
  const [first, json] = call.args ?? [];
  if ((call.args ?? []).length !== 2 || !first || !('TypeCast' in first)) return undefined;
  const def = tableOfType(first.TypeCast);
  const base = def ? baseFields(first.TypeCast.arg, def, scope, compile) : compositeBase(first, scope, compile);
  if (!base) return undefined;
  const comp = def ? compositeOf(typeOfTable(def) ?? compositeType(0, ownName(def.name), def.columns)) : compositeOf((base as Expr).type as CompositeType);
  const doc = compile(json!, scope);
  if (doc.type !== input && doc.type !== 'unknown') {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${comp.name}, ${TYPE_NAME[doc.type]}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const cols = fieldColumns(comp);
  const fields = Array.isArray(base) ? base : [base];
  const baseOf = Array.isArray(base) ? (rest: Value[]) => rest : ([r]: Value[]) => (r === null ? null : (r as RowValue).values);
  return {
    args: [retype(doc, input), ...fields],
    columns: comp.fields.map((c) => ({ name: c.name, type: c.type })),
    nullable: true,
    ...(def ? rowTypeOf(def) : { rowType: { oid: comp.oid, name: ownName(comp.name) } }),
    run: ([v, ...rest]) => recordRows(name, input, many, cols, v, fields.length ? baseOf(rest) : null),
  };
}

/** A composite type's base record (`null::t`, `row(…)::t`, `'(…)'::t`) as one expression of type t; undefined for other types. */
function compositeBase(first: Node, scope: Scope, compile: (n: Node, scope: Scope) => Expr): Expr | undefined {
  const tn = (first as { TypeCast: TypeCast }).TypeCast.typeName!;
  const names = strings(tn.names);
  if (tn.arrayBounds?.length || names.length > 2 || (names.length === 2 && names[0] !== 'public') || !lookupCompositeType(names[names.length - 1]!)) return undefined;
  return compile(first, scope);
}
