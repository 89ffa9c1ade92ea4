/**
 * What depends on a CREATE TYPE type (PostgreSQL's pg_depend for it): table columns, attributes of
 * composite types, domains and SQL function signatures whose types are, hold or are arrays of it.
 * DROP TYPE refuses while any exists (2BP01), ALTER TYPE while a column stores values of it.
 */
import type { Oid, TypeDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import { ownName } from '../schema/keys.ts';
import { TYPE_NAME, type SqlType } from '../types.ts';
import { enumType, isEnumDef } from '../types/enum.ts';
import { isCompositeType, usesComposite } from './type.ts';

/** Whether a value of type `t` involves the type `def`. */
function matcher(def: TypeDef): (t: SqlType, domain?: Oid) => boolean {
  if (isEnumDef(def)) {
    const e = enumType(def);
    return (t) => t === e || t === `${e}[]`;
  }
  return (t) => usesComposite(t, def.oid);
}

/** The columns of tables whose type involves `def`, as `[table, column]`. */
export function columnsUsing(state: DbState, def: TypeDef): [string, string][] {
  const uses = matcher(def);
  const out: [string, string][] = [];
  for (const t of state.tables.values()) for (const c of t.def.columns) if (uses(c.type)) out.push([ownName(t.def.name), c.name]);
  return out;
}

/** PostgreSQL's DETAIL lines for the objects depending on `def`, in creation (OID) order. */
export function typeDependents(state: DbState, def: TypeDef): string[] {
  const uses = matcher(def);
  const found: [Oid, string][] = [];
  for (const t of state.tables.values()) {
    for (const c of t.def.columns) if (uses(c.type)) found.push([t.def.oid, `column ${c.name} of table ${ownName(t.def.name)}`]);
  }
  for (const other of state.types.values()) {
    if (other.oid === def.oid || isEnumDef(other)) continue;
    for (const a of other.attributes) {
      if (uses(a.type) || a.domain !== undefined && state.domains.get(a.domain) && uses(state.domains.get(a.domain)!.base)) found.push([other.oid, `column ${a.name} of composite type ${ownName(other.name)}`]);
    }
  }
  for (const d of state.domains.values()) if (uses(d.base)) found.push([d.oid, `type ${ownName(d.name)}`]);
  for (const f of state.functions.values()) {
    if (f.params.some((p) => uses(p.type)) || (f.returns !== 'void' && uses(f.returns))) {
      const args = f.params.filter((p) => p.mode !== 'o').map((p) => (isCompositeType(p.type) || p.type.startsWith('enum:') ? ownName(TYPE_NAME[p.type]) : TYPE_NAME[p.type]));
      found.push([f.oid, `function ${ownName(f.name)}(${args.join(',')})`]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}
