/**
 * Publications (PostgreSQL's publicationcmds.c): CREATE / ALTER / DROP PUBLICATION as rows of
 * pg_publication and pg_publication_rel, and the question decoding asks of them: which tables a
 * set of publications publishes, and which kinds of change.
 */
import type { AlterPublicationStmt, CreatePublicationStmt, DefElem, Node, PublicationObjSpec } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeHooks, WriteTxn } from '../sql/env.ts';
import type { StatementPlan } from '../sql/plan.ts';
import type { DbState } from '../state/state.ts';
import { catalogRows, deleteCatalog, insertCatalog, namedObject, updateCatalog } from './catalog.ts';

export type PublishAction = 'insert' | 'update' | 'delete' | 'truncate';
const ACTIONS: readonly PublishAction[] = ['insert', 'update', 'delete', 'truncate'];

export function writePlan(command: string, run: (txn: WriteTxn, hooks: NodeHooks) => void): StatementPlan {
  return { command, columns: [], writes: true, run: (ctx) => (run(ctx.env.txn!, ctx.env.hooks), { rows: [], rowCount: 0 }) };
}

export function defString(d: DefElem): string | undefined {
  const arg = d.arg as Node | undefined;
  if (!arg) return undefined;
  if ('String' in arg) return arg.String.sval ?? '';
  if ('Integer' in arg) return String(arg.Integer.ival ?? 0);
  if ('Boolean' in arg) return arg.Boolean.boolval ? 'true' : 'false';
  if ('TypeName' in arg) return (arg.TypeName.names ?? []).map((n) => ('String' in n ? n.String.sval : '')).join('.');
  return undefined;
}

function publishOptions(options: readonly Node[] | undefined): Partial<Record<PublishAction, boolean>> | undefined {
  let out: Partial<Record<PublishAction, boolean>> | undefined;
  for (const o of options ?? []) {
    const d = (o as { DefElem: DefElem }).DefElem;
    if (d.defname === 'publish_via_partition_root') continue;
    if (d.defname !== 'publish') throw new SqlError(SQLSTATE.syntax_error, `unrecognized publication parameter: "${d.defname}"`);
    out = { insert: false, update: false, delete: false, truncate: false };
    for (const word of (defString(d) ?? '').split(',').map((w) => w.trim()).filter(Boolean)) {
      if (!ACTIONS.includes(word as PublishAction)) throw new SqlError(SQLSTATE.syntax_error, `unrecognized value for publication option "publish": "${word}"`);
      out[word as PublishAction] = true;
    }
  }
  return out;
}

function tableNames(objects: readonly Node[] | undefined): string[] {
  return (objects ?? []).map((o) => {
    const spec = (o as { PublicationObjSpec: PublicationObjSpec }).PublicationObjSpec;
    if (spec.pubobjtype !== 'PUBLICATIONOBJ_TABLE' || !spec.pubtable?.relation) throw new SqlError(SQLSTATE.feature_not_supported, 'publications FOR TABLES IN SCHEMA are not supported');
    if (spec.pubtable.whereClause) throw new SqlError(SQLSTATE.feature_not_supported, 'publication row filters (WHERE) are not supported');
    if (spec.pubtable.columns?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'publication column lists are not supported');
    const rel = spec.pubtable.relation;
    if (rel.schemaname && rel.schemaname !== 'public') throw new SqlError(SQLSTATE.undefined_table, `relation "${rel.schemaname}.${rel.relname}" does not exist`);
    return rel.relname!;
  });
}

function tableOid(state: DbState, name: string): number {
  const oid = state.tableNames.get(name);
  if (oid === undefined || state.table(oid).def.system) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
  return oid;
}

const findPublication = (state: DbState, name: string) => namedObject(state, 'publication', name);
const requirePublication = (state: DbState, name: string) => namedObject(state, 'publication', name, true);

export function planCreatePublication(stmt: CreatePublicationStmt): StatementPlan {
  return writePlan('CREATE PUBLICATION', (txn) => {
    const name = stmt.pubname!;
    if (findPublication(txn.state, name)) throw new SqlError(SQLSTATE.duplicate_object, `publication "${name}" already exists`);
    const publish = publishOptions(stmt.options) ?? { insert: true, update: true, delete: true, truncate: true };
    const oids = [...new Set(tableNames(stmt.pubobjects).map((n) => tableOid(txn.state, n)))];
    const oid = txn.state.allocateOid();
    insertCatalog(txn, 'pg_publication', {
      oid, pubname: name, pubowner: 10, puballtables: stmt.for_all_tables === true, pubinsert: publish.insert, pubupdate: publish.update,
      pubdelete: publish.delete, pubtruncate: publish.truncate, pubviaroot: false,
    });
    for (const relid of oids) insertCatalog(txn, 'pg_publication_rel', { oid: txn.state.allocateOid(), prpubid: oid, prrelid: relid });
  });
}

export function planAlterPublication(stmt: AlterPublicationStmt): StatementPlan {
  return writePlan('ALTER PUBLICATION', (txn) => {
    const pub = requirePublication(txn.state, stmt.pubname!);
    const publish = publishOptions(stmt.options);
    if (publish) updateCatalog(txn, 'pg_publication', pub, { pubinsert: publish.insert, pubupdate: publish.update, pubdelete: publish.delete, pubtruncate: publish.truncate });
    if (!stmt.pubobjects?.length && stmt.action !== 'AP_SetObjects') return;
    if (pub.puballtables) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `publication "${pub.pubname}" is defined as FOR ALL TABLES`, {
        detail: 'Tables cannot be added to or dropped from FOR ALL TABLES publications.',
      });
    }
    const names = tableNames(stmt.pubobjects);
    const members = catalogRows(txn.state, 'pg_publication_rel').filter((r) => r.prpubid === pub.oid);
    if (stmt.action === 'AP_AddObjects') {
      for (const n of names) {
        const relid = tableOid(txn.state, n);
        if (members.some((m) => m.prrelid === relid)) throw new SqlError(SQLSTATE.duplicate_object, `relation "${n}" is already member of publication "${pub.pubname}"`);
        insertCatalog(txn, 'pg_publication_rel', { oid: txn.state.allocateOid(), prpubid: pub.oid, prrelid: relid });
      }
    } else if (stmt.action === 'AP_DropObjects') {
      for (const n of names) {
        const relid = tableOid(txn.state, n);
        const m = members.find((r) => r.prrelid === relid);
        if (!m) throw new SqlError(SQLSTATE.undefined_object, `relation "${n}" is not part of the publication`);
        deleteCatalog(txn, 'pg_publication_rel', m);
      }
    } else {
      const wanted = new Set(names.map((n) => tableOid(txn.state, n)));
      for (const m of members) if (!wanted.has(m.prrelid as number)) deleteCatalog(txn, 'pg_publication_rel', m);
      for (const relid of wanted) {
        if (!members.some((m) => m.prrelid === relid)) insertCatalog(txn, 'pg_publication_rel', { oid: txn.state.allocateOid(), prpubid: pub.oid, prrelid: relid });
      }
    }
  });
}

export function planDropPublication(names: string[], missingOk: boolean): StatementPlan {
  return writePlan('DROP PUBLICATION', (txn) => {
    for (const name of names) {
      const pub = findPublication(txn.state, name);
      if (!pub) {
        if (missingOk) continue;
        throw new SqlError(SQLSTATE.undefined_object, `publication "${name}" does not exist`);
      }
      for (const m of catalogRows(txn.state, 'pg_publication_rel')) if (m.prpubid === pub.oid) deleteCatalog(txn, 'pg_publication_rel', m);
      deleteCatalog(txn, 'pg_publication', pub);
    }
  });
}

/** What a set of publications sends for one table: the actions, or undefined when it is not published. */
export type PublishedTables = Map<number, Set<PublishAction>>;

/** The tables `names` publish in `state` (user tables only), with their actions; a missing publication is an error, as in pgoutput. */
export function publishedTables(state: DbState, names: readonly string[]): PublishedTables {
  const out: PublishedTables = new Map();
  const rels = catalogRows(state, 'pg_publication_rel');
  for (const name of names) {
    const pub = requirePublication(state, name);
    const actions = ACTIONS.filter((a) => pub[`pub${a}`] === true);
    const oids = pub.puballtables
      ? [...state.tables.values()].filter((t) => !t.def.system).map((t) => t.def.oid)
      : rels.filter((r) => r.prpubid === pub.oid).map((r) => r.prrelid as number).filter((o) => state.tables.has(o));
    for (const oid of oids) {
      const set = out.get(oid) ?? new Set<PublishAction>();
      for (const a of actions) set.add(a);
      out.set(oid, set);
    }
  }
  return out;
}

/**
 * PostgreSQL refuses an UPDATE or DELETE on a published table without a replica identity (a
 * primary key here): the subscriber could not find the row.
 */
export function checkReplicaIdentity(state: DbState, table: number, action: 'update' | 'delete'): void {
  if (!state.tableNames.has('pg_publication')) return;
  const t = state.tables.get(table);
  if (!t || t.def.system || t.indexes.some((ix) => ix.def.primary)) return;
  const pubs = catalogRows(state, 'pg_publication').filter((p) => p[`pub${action}`] === true);
  if (!pubs.length) return;
  const rels = catalogRows(state, 'pg_publication_rel');
  if (!pubs.some((p) => p.puballtables || rels.some((r) => r.prpubid === p.oid && r.prrelid === table))) return;
  const [verb, gerund] = action === 'update' ? ['update', 'updating'] : ['delete from', 'deleting from'];
  throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `cannot ${verb} table "${t.def.name}" because it does not have a replica identity and publishes ${action}s`, {
    hint: `To enable ${gerund} the table, set REPLICA IDENTITY using ALTER TABLE.`,
  });
}
