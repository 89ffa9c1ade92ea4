/**
 * pg_type over walrtc's types: the built-in types walrtc has (their rows as PostgreSQL 15 holds
 * them), the row types of the catalogs offered (pg-builtin.ts), enums, domains and tables' row types. Only columns whose every value is PostgreSQL's are
 * offered: `typarray` is not (PostgreSQL gives every enum, domain and row type an array type,
 * which walrtc does not have), and neither are the array types of user types themselves.
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import { TYPE_OID, type SqlType, type Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';
import { featureNotSupported } from '../errors.ts';
import { splitKey } from '../sql/schema/keys.ts';
import { namespaceOid } from './namespaces.ts';
import { OWNER_OID, refuseWithCompositeTypes } from './pg-class.ts';
import { BUILTIN_TYPE_ROWS } from './pg-builtin.ts';

const col = (name: string, type: SqlType) => ({ name, type });

const COLUMNS = [
  col('oid', 'oid'), col('typname', 'name'), col('typnamespace', 'oid'), col('typowner', 'oid'), col('typlen', 'int2'), col('typbyval', 'bool'),
  col('typtype', 'char'), col('typcategory', 'char'), col('typdelim', 'char'), col('typrelid', 'oid'), col('typelem', 'oid'),
  col('typnotnull', 'bool'), col('typbasetype', 'oid'), col('typtypmod', 'int4'), col('typndims', 'int4'),
];

/** PostgreSQL 15's rows of the built-in types walrtc has: oid, typname, typlen, typbyval, typtype, typcategory, typelem. */
const BUILT_IN: [number, string, number, boolean, string, string, number][] = [
  [16, 'bool', 1, true, 'b', 'B', 0],
  [17, 'bytea', -1, false, 'b', 'U', 0],
  [18, 'char', 1, true, 'b', 'Z', 0],
  [19, 'name', 64, false, 'b', 'S', 18],
  [20, 'int8', 8, true, 'b', 'N', 0],
  [21, 'int2', 2, true, 'b', 'N', 0],
  [23, 'int4', 4, true, 'b', 'N', 0],
  [25, 'text', -1, false, 'b', 'S', 0],
  [26, 'oid', 4, true, 'b', 'N', 0],
  [114, 'json', -1, false, 'b', 'U', 0],
  [199, '_json', -1, false, 'b', 'A', 114],
  [700, 'float4', 4, true, 'b', 'N', 0],
  [701, 'float8', 8, true, 'b', 'N', 0],
  [705, 'unknown', -2, false, 'p', 'X', 0],
  [1000, '_bool', -1, false, 'b', 'A', 16],
  [1001, '_bytea', -1, false, 'b', 'A', 17],
  [1002, '_char', -1, false, 'b', 'A', 18],
  [1003, '_name', -1, false, 'b', 'A', 19],
  [1005, '_int2', -1, false, 'b', 'A', 21],
  [1007, '_int4', -1, false, 'b', 'A', 23],
  [1009, '_text', -1, false, 'b', 'A', 25],
  [1014, '_bpchar', -1, false, 'b', 'A', 1042],
  [1015, '_varchar', -1, false, 'b', 'A', 1043],
  [1016, '_int8', -1, false, 'b', 'A', 20],
  [1021, '_float4', -1, false, 'b', 'A', 700],
  [1022, '_float8', -1, false, 'b', 'A', 701],
  [1028, '_oid', -1, false, 'b', 'A', 26],
  [1042, 'bpchar', -1, false, 'b', 'S', 0],
  [1043, 'varchar', -1, false, 'b', 'S', 0],
  [1082, 'date', 4, true, 'b', 'D', 0],
  [1083, 'time', 8, true, 'b', 'D', 0],
  [1114, 'timestamp', 8, true, 'b', 'D', 0],
  [1115, '_timestamp', -1, false, 'b', 'A', 1114],
  [1182, '_date', -1, false, 'b', 'A', 1082],
  [1183, '_time', -1, false, 'b', 'A', 1083],
  [1184, 'timestamptz', 8, true, 'b', 'D', 0],
  [1185, '_timestamptz', -1, false, 'b', 'A', 1184],
  [1186, 'interval', 16, false, 'b', 'T', 0],
  [1187, '_interval', -1, false, 'b', 'A', 1186],
  [1231, '_numeric', -1, false, 'b', 'A', 1700],
  [1266, 'timetz', 12, false, 'b', 'D', 0],
  [1270, '_timetz', -1, false, 'b', 'A', 1266],
  [1700, 'numeric', -1, false, 'b', 'N', 0],
  [2205, 'regclass', 4, true, 'b', 'N', 0],
  [2206, 'regtype', 4, true, 'b', 'N', 0],
  [2210, '_regclass', -1, false, 'b', 'A', 2205],
  [2211, '_regtype', -1, false, 'b', 'A', 2206],
  [2249, 'record', -1, false, 'p', 'P', 0],
  [2950, 'uuid', 16, false, 'b', 'U', 0],
  [2951, '_uuid', -1, false, 'b', 'A', 2950],
  [3802, 'jsonb', -1, false, 'b', 'U', 0],
  [3807, '_jsonb', -1, false, 'b', 'A', 3802],
  [4072, 'jsonpath', -1, false, 'b', 'U', 0],
  [4073, '_jsonpath', -1, false, 'b', 'A', 4072],
];
const BY_OID = new Map(BUILT_IN.map((r) => [r[0], r]));

const PG_CATALOG = 11;

function typeRow(oid: number, name: string, nsp: number, len: number, byval: boolean, type: string, category: string, relid: number, elem: number,
  notNull = false, base = 0, typmod = -1, ndims = 0): Value[] {
  return [oid, name, nsp, OWNER_OID, len, byval, type, category, ',', relid, elem, notNull, base, typmod, ndims];
}

function userRows(state: DbState): Value[][] {
  const out: Value[][] = [];
  const nsp = (key: string) => namespaceOid(state, splitKey(key).schema) ?? null;
  refuseWithCompositeTypes(state, 'pg_type');
  for (const e of state.types.values()) out.push(typeRow(e.oid, splitKey(e.name).name, nsp(e.name) as number, 4, true, 'e', 'E', 0, 0));
  for (const d of state.domains.values()) {
    const base = BY_OID.get(TYPE_OID[d.base]);
    if (!base) throw featureNotSupported(`pg_type for domain "${d.name}" over type ${d.base}`);
    out.push(typeRow(d.oid, splitKey(d.name).name, nsp(d.name) as number, base[2], base[3], 'd', base[5], 0, 0, d.notNull, base[0], d.typmod, d.base.endsWith('[]') ? 1 : 0));
  }
  for (const t of state.tables.values()) {
    if (t.def.system || t.def.rowType === undefined) continue;
    out.push(typeRow(t.def.rowType, splitKey(t.def.name).name, nsp(t.def.name) as number, -1, false, 'c', 'C', t.def.oid, 0));
  }
  return out;
}

const pgType: VirtualTable = {
  columns: COLUMNS,
  rows: (env: ExecEnv) => [
    ...BUILT_IN.map(([oid, name, len, byval, type, category, elem]) => typeRow(oid, name, PG_CATALOG, len, byval, type, category, 0, elem)),
    ...BUILTIN_TYPE_ROWS.map((r) => [...r]),
    ...userRows(env.state),
  ].sort((a, b) => (a[0] as number) - (b[0] as number)),
};

export const PG_TYPE_VIEWS: Record<string, VirtualTable> = { pg_type: pgType };
