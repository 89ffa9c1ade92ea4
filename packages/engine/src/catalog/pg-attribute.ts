/**
 * pg_attribute over walrtc's catalog: the columns of tables, views, partitioned tables, indexes
 * and sequences, with PostgreSQL's attnums (dropped columns keep theirs, as rows named
 * `........pg.dropped.N........`) and the system columns of tables and sequences. Only columns
 * whose every value is PostgreSQL's are offered (no statistics, storage, inheritance counts).
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import { TYPE_OID, type SqlType, type Value } from '../sql/types.ts';
import type { DbState, IndexData } from '../state/state.ts';
import type { ColumnDef, TableDef } from './types.ts';
import { featureNotSupported } from '../errors.ts';
import { attnums } from './comments.ts';
import { BUILTIN_ATTRIBUTE_ROWS } from './pg-builtin.ts';
import { refuseWithCompositeTypes } from './pg-class.ts';

const col = (name: string, type: SqlType) => ({ name, type });

const COLUMNS = [
  col('attrelid', 'oid'), col('attname', 'name'), col('atttypid', 'oid'), col('attnum', 'int2'), col('attnotnull', 'bool'), col('atthasdef', 'bool'),
  col('attisdropped', 'bool'), col('atttypmod', 'int4'), col('attidentity', 'char'), col('attgenerated', 'char'),
];

/** Heap system columns: name, attnum, type oid. */
const SYSTEM: [string, number, number][] = [['tableoid', -6, 26], ['cmax', -5, 29], ['xmax', -4, 28], ['cmin', -3, 29], ['xmin', -2, 28], ['ctid', -1, 27]];

/** A sequence's own columns (PostgreSQL's FormData_pg_sequence_data). */
const SEQUENCE_COLUMNS: [string, number][] = [['last_value', 20], ['log_cnt', 20], ['is_called', 16]];

function typeOid(type: SqlType, where: string): number {
  const oid = TYPE_OID[type];
  if (oid === undefined) throw featureNotSupported(`pg_attribute for column ${where} of type ${type}`);
  return oid;
}

function row(rel: number, name: string, type: number, attnum: number, notNull: boolean, hasDef: boolean, dropped: boolean, typmod: number, identity = '', generated = ''): Value[] {
  return [rel, name, type, attnum, notNull, hasDef, dropped, typmod, identity, generated];
}

/** A domain's DEFAULT is copied into its columns but is not theirs: PostgreSQL's atthasdef is false for it. */
function hasOwnDefault(state: DbState, c: ColumnDef): boolean {
  if (c.generated) return true;
  if (c.default === undefined || c.identity) return false;
  const domain = c.domain === undefined ? undefined : state.domains.get(c.domain);
  return !(domain?.default && JSON.stringify(domain.default) === JSON.stringify(c.default));
}

/** Types with a typmod (varchar(n), numeric(p,s), timestamp(p), …): a view keeps no typmod of its columns, so it cannot say theirs. */
const TYPMOD_TYPES = /^(varchar|bpchar|numeric|timestamp|timestamptz|time|timetz|interval)(\[\])?$/;

function tableRows(state: DbState, def: TableDef, out: Value[][]): void {
  const unknown = def.view ? def.columns.find((c) => TYPMOD_TYPES.test(c.type)) : undefined;
  if (unknown) throw featureNotSupported(`pg_attribute for view "${def.name}", whose column "${unknown.name}" may have a type modifier walrtc does not keep`);
  if (!def.view) for (const [name, attnum, type] of SYSTEM) out.push(row(def.oid, name, type, attnum, true, false, false, -1));
  const nums = attnums(def);
  def.columns.forEach((c, i) => {
    const type = c.domain ?? typeOid(c.type, `${def.name}.${c.name}`);
    out.push(row(def.oid, c.name, type, nums[i]!, c.notNull, hasOwnDefault(state, c), false, c.typmod, c.identity ?? '', c.generated ? 's' : ''));
  });
  for (const d of def.dropped ?? []) out.push(row(def.oid, `........pg.dropped.${d.attnum}........`, 0, d.attnum, false, false, true, d.typmod));
}

/** An index key's attname: the column's, or for an expression its function's name or "expr", made unique with a number as PostgreSQL does. */
function indexRows(def: TableDef, ix: IndexData, out: Value[][]): void {
  const types = ix.keyTypes(def);
  const used = new Set<string>();
  ix.def.columns.forEach((name, i) => {
    const expr = ix.def.exprs?.[i];
    const column = expr ? undefined : def.columns.find((c) => c.name === name);
    let base = column?.name ?? 'expr';
    if (expr && 'FuncCall' in expr) base = (expr.FuncCall.funcname ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : '')).pop() || 'expr';
    let attname = base;
    for (let n = 1; used.has(attname); n++) attname = `${base}${n}`;
    used.add(attname);
    out.push(row(ix.def.oid, attname, typeOid(types[i]!, `${ix.def.name}.${attname}`), i + 1, false, false, false, column?.typmod ?? -1));
  });
}

const pgAttribute: VirtualTable = {
  columns: COLUMNS,
  rows: (env: ExecEnv) => {
    const state = env.state;
    refuseWithCompositeTypes(state, 'pg_attribute');
    const out: Value[][] = BUILTIN_ATTRIBUTE_ROWS.map((r) => [...r]);
    for (const t of state.tables.values()) {
      if (t.def.system) continue;
      tableRows(state, t.def, out);
      for (const ix of t.indexes) indexRows(t.def, ix, out);
    }
    for (const s of state.sequences.values()) {
      for (const [name, attnum, type] of SYSTEM) out.push(row(s.def.oid, name, type, attnum, true, false, false, -1));
      SEQUENCE_COLUMNS.forEach(([name, type], i) => out.push(row(s.def.oid, name, type, i + 1, true, false, false, -1)));
    }
    return out.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[3] as number) - (b[3] as number));
  },
};

export const PG_ATTRIBUTE_VIEWS: Record<string, VirtualTable> = { pg_attribute: pgAttribute };
