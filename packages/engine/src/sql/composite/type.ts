/**
 * Composite types as SqlTypes. A CREATE TYPE … AS (…) composite and a table's row type are one
 * concept with two origins: a named list of typed fields with a pg_type OID. The SqlType spells
 * the OID, the name and the fields (`comp:[oid,"pair",[["x","int4",-1],…]]`), as an enum's spells
 * its labels (types/enum.ts), so casts, record_in and field selection need no catalog lookup and a
 * column's type says everything a standby or a checkpoint needs. A value is a RowValue
 * (types/record.ts), which prints, compares and becomes JSON like any row.
 */
import type { AttributeDef, CompositeDef, Oid, TableDef } from '../../catalog/types.ts';
import { ownName } from '../schema/keys.ts';
import { isEnumDef, lookupUserType } from '../types/enum.ts';
import { functionCatalog } from '../function/context.ts';
import { featureNotSupported } from '../../errors.ts';
import type { SqlType } from '../types.ts';

export type CompositeType = `comp:${string}`;

export const isCompositeType = (t: string): t is CompositeType => t.startsWith('comp:') && !t.endsWith('[]');

/** A value of `record` or of a composite type is a RowValue. */
export const isRowType = (t: string): boolean => t === 'record' || isCompositeType(t);

export interface Composite {
  oid: Oid;
  arrayOid?: Oid;
  name: string;
  fields: readonly AttributeDef[];
  names: readonly string[];
  types: readonly SqlType[];
}

/** [oid, name, fields, array type OID (absent for a table's row type, which has no arrays here)]. */
type Spelled = [Oid, string, [string, SqlType, number, Oid?][], Oid?];

export function compositeType(oid: Oid, name: string, fields: readonly AttributeDef[], arrayOid?: Oid): CompositeType {
  const spelled: Spelled = [oid, name, fields.map((f) => (f.domain === undefined ? [f.name, f.type, f.typmod] : [f.name, f.type, f.typmod, f.domain]))];
  if (arrayOid !== undefined) spelled.push(arrayOid);
  return `comp:${JSON.stringify(spelled)}`;
}

/** The SqlType of a CREATE TYPE composite. */
export const typeOfComposite = (def: CompositeDef): CompositeType => compositeType(def.oid, def.name, def.attributes, def.arrayOid);

/** The SqlType of a table's row type (undefined for a definition written before row types had an OID). */
export function typeOfTable(def: TableDef): CompositeType | undefined {
  if (def.rowType === undefined) return undefined;
  return compositeType(def.rowType, ownName(def.name), def.columns.map((c) => ({ name: c.name, type: c.type, typmod: c.typmod, ...(c.domain !== undefined ? { domain: c.domain } : {}) })));
}

const parsed = new Map<string, Composite>();

export function compositeOf(t: CompositeType): Composite {
  let c = parsed.get(t);
  if (!c) {
    const [oid, name, spelled, arrayOid] = JSON.parse(t.slice(5)) as Spelled;
    const fields = spelled.map(([n, type, typmod, domain]) => ({ name: n, type, typmod, ...(domain !== undefined ? { domain } : {}) }));
    c = { oid, name, fields, names: fields.map((f) => f.name), types: fields.map((f) => f.type), ...(arrayOid !== undefined ? { arrayOid } : {}) };
    parsed.set(t, c);
  }
  return c;
}

/** Whether `t` is, holds or is an array of the composite `oid` (a dependency DROP/ALTER TYPE must respect). */
export function usesComposite(t: SqlType, oid: Oid): boolean {
  if (!t.includes('comp:')) return false;
  const inner = t.endsWith('[]') ? t.slice(0, -2) : t;
  if (!isCompositeType(inner)) return false;
  const c = compositeOf(inner);
  return c.oid === oid || c.types.some((f) => usesComposite(f, oid));
}

/** The composite type named `name` (CREATE TYPE … AS) in the catalog being planned against, if there is one. */
export function lookupCompositeType(name: string): CompositeType | undefined {
  const def = lookupUserType(name);
  if (def) return isEnumDef(def) ? undefined : typeOfComposite(def);
  // a table's (or view's) row type, named as the relation
  const state = functionCatalog()?.state;
  const oid = state?.tableNames.get(name);
  return oid === undefined ? undefined : typeOfTable(state!.table(oid).def);
}

/**
 * A table's row type as the type of a column, attribute or domain: its spelling would go stale
 * when the table changes and nothing stops the table's DROP, so it is refused (0A000).
 */
export function refuseTableRowType(what: string, type: SqlType): void {
  const inner = type.endsWith('[]') ? type.slice(0, -2) : type;
  if (!isCompositeType(inner)) return;
  const c = compositeOf(inner);
  if (lookupUserType(c.name)?.oid !== c.oid) throw featureNotSupported(`${what} of the row type of table "${c.name}"`);
}
