/**
 * COMMENT ON's catalog state (pg_description): the text of each described object, keyed as
 * pg_description keys it — the catalog holding the object (classoid), its oid and, for a column,
 * its attnum. Set by `comment` WAL records; a dropped object's comments go with it (forgetComments
 * runs before each record is applied, while the object is still there to be read).
 */
import type { DbState } from '../state/state.ts';
import type { WalRecord } from '../wal/record.ts';
import type { Oid, TableDef } from './types.ts';
import { namespaceOid } from './namespaces.ts';

/** The pg_catalog relations that describe the objects walrtc keeps comments on, by their fixed oids. */
export const CLASS_OIDS = { pg_class: 1259, pg_type: 1247, pg_proc: 1255, pg_namespace: 2615 } as const;

export const commentKey = (classoid: Oid, objoid: Oid, subid: number): string => `${classoid}/${objoid}/${subid}`;

export function commentOf(state: DbState, classoid: Oid, objoid: Oid, subid: number): string | null {
  return state.comments.get(commentKey(classoid, objoid, subid)) ?? null;
}

export function redoComment(state: DbState, rec: Extract<WalRecord, { kind: 'comment' }>): void {
  const comments = new Map(state.comments);
  const key = commentKey(rec.classoid, rec.objoid, rec.subid);
  if (rec.text === null) comments.delete(key);
  else comments.set(key, rec.text);
  state.comments = comments;
}

/** PostgreSQL's attnum of each column of `def`: DROP COLUMN leaves its number unused (TableDef.dropped). */
export function attnums(def: TableDef): number[] {
  const dropped = new Set((def.dropped ?? []).map((d) => d.attnum));
  const out: number[] = [];
  for (let n = 1; out.length < def.columns.length; n++) if (!dropped.has(n)) out.push(n);
  return out;
}

/** Drop the comments of whatever `rec` is about to drop. */
export function forgetComments(state: DbState, rec: WalRecord): void {
  const gone: string[] = [];
  const whole = (classoid: Oid, oid: Oid) => gone.push(`${classoid}/${oid}/`);
  switch (rec.kind) {
    case 'drop_table': {
      whole(CLASS_OIDS.pg_class, rec.table);
      for (const ix of state.tables.get(rec.table)?.indexes ?? []) whole(CLASS_OIDS.pg_class, ix.def.oid);
      break;
    }
    case 'drop_column': {
      const def = state.tables.get(rec.table)?.def;
      const at = def?.columns.findIndex((c) => c.name === rec.column) ?? -1;
      if (def && at >= 0) gone.push(commentKey(CLASS_OIDS.pg_class, rec.table, attnums(def)[at]!));
      break;
    }
    case 'drop_index': whole(CLASS_OIDS.pg_class, rec.index); break;
    case 'drop_sequence': whole(CLASS_OIDS.pg_class, rec.sequence); break;
    case 'drop_type': whole(CLASS_OIDS.pg_type, rec.type); break;
    case 'drop_domain': whole(CLASS_OIDS.pg_type, rec.domain); break;
    case 'drop_function': whole(CLASS_OIDS.pg_proc, rec.function); break;
    case 'drop_schema': {
      const oid = namespaceOid(state, rec.name);
      if (oid !== undefined) whole(CLASS_OIDS.pg_namespace, oid);
      break;
    }
    default: return;
  }
  const keys = [...state.comments.keys()].filter((k) => gone.some((g) => (g.endsWith('/') ? k.startsWith(g) : k === g)));
  if (!keys.length) return;
  const comments = new Map(state.comments);
  for (const k of keys) comments.delete(k);
  state.comments = comments;
}
