/**
 * pg_namespace and pg_class over walrtc's catalog, read under the statement's snapshot (rolled-back
 * DDL is gone, the open transaction's own DDL is there). Only columns whose every value is what
 * PostgreSQL 15 holds are offered (others fail 42703): no storage statistics, ACLs, options or
 * rule/trigger flags. The relations listed are the user's (tables, views, partitioned tables,
 * indexes, sequences) and the catalogs offered here themselves (pg-builtin.ts); PostgreSQL's other
 * catalogs and their indexes have no rows here.
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import type { SqlType, Value } from '../sql/types.ts';
import type { DbState, TableData } from '../state/state.ts';
import type { IndexDef, TableDef } from './types.ts';
import { featureNotSupported } from '../errors.ts';
import { splitKey } from '../sql/schema/keys.ts';
import { TEMP_OID_BASE } from '../sql/temp-tables.ts';
import { FIXED_NAMESPACES, namespaceOid } from './namespaces.ts';
import { BUILTIN_CLASS_ROWS } from './pg-builtin.ts';
import { isEnumDef } from '../sql/types/enum.ts';

/** The bootstrap superuser (postgres), which owns every object: walrtc has no roles. */
export const OWNER_OID = 10;
/** public is owned by pg_database_owner in PostgreSQL 15. */
const DATABASE_OWNER_OID = 6171;
/** pg_am: heap and btree. */
const HEAP_AM = 2, BTREE_AM = 403;

const col = (name: string, type: SqlType) => ({ name, type });

/**
 * PostgreSQL gives a composite type (CREATE TYPE … AS) a relation of relkind 'c' with its
 * attributes, and its pg_type row points at it; walrtc keeps no such relation, so while one
 * exists these catalogs refuse rather than list a type without its relation.
 */
export function refuseWithCompositeTypes(state: DbState, catalog: string): void {
  for (const t of state.types.values()) {
    if (!isEnumDef(t)) throw featureNotSupported(`${catalog} while the composite type "${splitKey(t.name).name}" exists`);
  }
}

const pgNamespace: VirtualTable = {
  columns: [col('oid', 'oid'), col('nspname', 'name'), col('nspowner', 'oid')],
  rows: (env: ExecEnv) => {
    const out: Value[][] = [...FIXED_NAMESPACES].map(([name, oid]) => [oid, name, name === 'public' ? DATABASE_OWNER_OID : OWNER_OID]);
    for (const name of env.state.schemas) out.push([namespaceOid(env.state, name)!, name, OWNER_OID]);
    return out.sort((a, b) => (a[0] as number) - (b[0] as number));
  },
};

const CLASS_COLUMNS = [
  col('oid', 'oid'), col('relname', 'name'), col('relnamespace', 'oid'), col('reltype', 'oid'), col('reloftype', 'oid'), col('relowner', 'oid'),
  col('relam', 'oid'), col('relhasindex', 'bool'), col('relisshared', 'bool'), col('relpersistence', 'char'), col('relkind', 'char'),
  col('relnatts', 'int2'), col('relchecks', 'int2'), col('relrowsecurity', 'bool'), col('relforcerowsecurity', 'bool'),
  col('relispopulated', 'bool'), col('relreplident', 'char'), col('relispartition', 'bool'),
];

interface ClassRow {
  oid: number; key: string; reltype: number; relam: number; relhasindex: boolean; relkind: string; relnatts: number; relchecks: number;
  relreplident: string; relispartition: boolean;
}

function classRow(state: DbState, r: ClassRow): Value[] {
  const { schema, name } = splitKey(r.key);
  const persistence = r.oid >= TEMP_OID_BASE ? 't' : 'p';
  return [r.oid, name, namespaceOid(state, schema) ?? null, r.reltype, 0, OWNER_OID, r.relam, r.relhasindex, false, persistence, r.relkind,
    r.relnatts, r.relchecks, false, false, true, r.relreplident, r.relispartition];
}

function tableRow(t: TableData): ClassRow {
  const def = t.def;
  if (def.rowType === undefined) throw featureNotSupported(`pg_class for relation "${def.name}", created before tables had row types`);
  const relkind = def.view ? 'v' : def.partitionKey ? 'p' : 'r';
  return {
    oid: def.oid, key: def.name, reltype: def.rowType, relam: relkind === 'r' ? HEAP_AM : 0, relhasindex: def.hasIndex === true || t.indexes.length > 0,
    relkind, relnatts: def.columns.length + (def.dropped?.length ?? 0), relchecks: def.checks.length, relreplident: def.view ? 'n' : 'd',
    relispartition: def.partitionBound !== undefined,
  };
}

const indexShape = (d: IndexDef): string => JSON.stringify([d.columns, d.unique, d.exprs ?? null, d.where ?? null]);

/** An index of a partition is itself a partition of its parent's matching index, which PostgreSQL attaches or creates with it. */
function indexIsPartition(state: DbState, table: TableDef, ix: IndexDef): boolean {
  const parent = table.partitionBound ? state.tables.get(table.inherits?.[0] ?? -1) : undefined;
  return parent !== undefined && parent.indexes.some((p) => indexShape(p.def) === indexShape(ix));
}

function indexRow(state: DbState, table: TableDef, ix: IndexDef): ClassRow {
  return {
    oid: ix.oid, key: ix.name, reltype: 0, relam: BTREE_AM, relhasindex: false, relkind: table.partitionKey ? 'I' : 'i', relnatts: ix.columns.length,
    relchecks: 0, relreplident: 'n', relispartition: indexIsPartition(state, table, ix),
  };
}

const pgClass: VirtualTable = {
  columns: CLASS_COLUMNS,
  rows: (env: ExecEnv) => {
    const state = env.state;
    refuseWithCompositeTypes(state, 'pg_class');
    const rows: ClassRow[] = [];
    for (const t of state.tables.values()) {
      if (t.def.system) continue;
      rows.push(tableRow(t));
      for (const ix of t.indexes) rows.push(indexRow(state, t.def, ix.def));
    }
    for (const s of state.sequences.values()) {
      rows.push({ oid: s.def.oid, key: s.def.name, reltype: 0, relam: 0, relhasindex: false, relkind: 'S', relnatts: 3, relchecks: 0, relreplident: 'n', relispartition: false });
    }
    return [...BUILTIN_CLASS_ROWS.map((r) => [...r]), ...rows.sort((a, b) => a.oid - b.oid).map((r) => classRow(state, r))];
  },
};

export const PG_CLASS_VIEWS: Record<string, VirtualTable> = { pg_namespace: pgNamespace, pg_class: pgClass };
