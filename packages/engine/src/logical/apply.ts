/**
 * A subscription's apply worker (PostgreSQL's worker.c and tablesync.c), run on the subscriber's
 * primary: it synchronizes each table (pg_subscription_rel i → d → f → s, copying the rows from
 * a table-sync slot's snapshot in one transaction), then streams the main slot from the
 * replication origin's position, applying each decoded transaction in one local transaction
 * that also moves the origin, so a transaction is applied exactly once across reloads and
 * publisher failovers. Tables synced at LSN L take changes of transactions ending after L only
 * (state s), and become ready (r) once the stream passes L. An apply error stops the worker with
 * PostgreSQL's message; the hub restarts it after walRetrieveRetryInterval or on ENABLE.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Database } from '../database.ts';
import { Session } from '../session/session.ts';
import type { Value } from '../sql/types.ts';
import { formatLsn, parseLsn, type Lsn } from '../wal/lsn.ts';
import { catalogRows, parseNameArray, type CatalogRow } from './catalog.ts';
import type { PublisherConnection } from './connection.ts';
import type { Change, DecodedTxn, RelationInfo } from './decode.ts';
import type { PublisherMessage } from './protocol.ts';
import { syncSlotName } from './subscription.ts';

const COPY_BATCH = 500;

const lsnOf = (text: Value): Lsn => (typeof text === 'string' ? parseLsn(text) ?? 0 : 0);

export interface ApplyHost {
  db: Database;
  systemId(): string;
  connect(conninfo: string, purpose: string): PublisherConnection;
  log(level: 'log' | 'warning', message: string): void;
}

export interface WorkerStats {
  receivedLsn: Lsn | null;
  lastMsgSendTime: Date | null;
  lastMsgReceiptTime: Date | null;
  latestEndLsn: Lsn | null;
  latestEndTime: Date | null;
}

/** Thrown to restart streaming from the origin (the publisher's primary changed): not an apply error. */
class Reconnect extends Error {}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class ApplyWorker {
  private stopped = false;
  private readonly session = new Session();
  private conn: PublisherConnection | undefined;
  private origin: Lsn = 0;
  private queue: PublisherMessage[] = [];
  /** The pieces of a large transaction received so far. */
  private piece: DecodedTxn | undefined;
  private wake: (() => void) | undefined;
  readonly stats: WorkerStats = { receivedLsn: null, lastMsgSendTime: null, lastMsgReceiptTime: null, latestEndLsn: null, latestEndTime: null };
  readonly done: Promise<void>;

  constructor(private readonly host: ApplyHost, readonly subname: string, private readonly onError: (e: unknown, sync: boolean) => void) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const primary = this.conn?.primaryId;
    if (primary) await this.conn!.send(primary, { t: 'l_stop' }).catch(() => {});
    await this.conn?.close();
    await this.done;
  }

  private sub(): CatalogRow {
    const sub = catalogRows(this.host.db.state, 'pg_subscription').find((s) => s.subname === this.subname);
    if (!sub) throw new Reconnect('subscription dropped');
    return sub;
  }

  private rels(subid: number): CatalogRow[] {
    return catalogRows(this.host.db.state, 'pg_subscription_rel').filter((r) => r.srsubid === subid);
  }

  private async run(): Promise<void> {
    let syncing = false;
    try {
      const sub = this.sub();
      const conn = this.host.connect(sub.subconninfo as string, this.subname);
      this.conn = conn;
      conn.onStream = (msg) => this.push(msg);
      conn.onPrimaryChange = () => this.push({ t: 'l_error', code: 'reconnect', message: 'the publisher\'s primary changed' });
      const originRow = catalogRows(this.host.db.state, 'pg_replication_origin_status').find((o) => o.local_id === sub.oid);
      this.origin = originRow?.remote_lsn ? lsnOf(originRow.remote_lsn) : 0;
      syncing = true;
      for (const rel of this.rels(sub.oid as number)) {
        if (this.stopped) return;
        if (rel.srsubstate === 'i' || rel.srsubstate === 'd') await this.syncTable(conn, sub, rel);
        if (this.stopped) return;
        const now = this.rels(sub.oid as number).find((r) => r.srrelid === rel.srrelid);
        if (now?.srsubstate === 'f') await this.finishSync(conn, sub, now);
      }
      syncing = false;
      for (;;) {
        if (this.stopped) return;
        try {
          await this.stream(conn, sub);
          return;
        } catch (e) {
          if (!(e instanceof Reconnect) || this.stopped) throw e;
          this.host.log('log', `logical replication apply worker for subscription "${this.subname}" reconnects: ${e.message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } catch (e) {
      if (!this.stopped) this.onError(e, syncing);
    } finally {
      if (this.session.txn) this.host.db.rollback(this.session);
      await this.conn?.close();
    }
  }

  private push(msg: PublisherMessage): void {
    this.queue.push(msg);
    this.wake?.();
  }

  private async next(): Promise<PublisherMessage | undefined> {
    while (!this.queue.length && !this.stopped) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift();
  }

  private sql(text: string, params: readonly Value[] = []): Promise<unknown> {
    return this.host.db.run(text, params, this.session, true);
  }

  /** Copy one table at a table-sync slot's snapshot: i → d, then rows and f in one transaction. */
  private async syncTable(conn: PublisherConnection, sub: CatalogRow, rel: CatalogRow): Promise<void> {
    const table = this.tableName(rel.srrelid as number);
    await this.sql(`update pg_subscription_rel set srsubstate = 'd' where srsubid = $1 and srrelid = $2`, [sub.oid, rel.srrelid]);
    const slot = syncSlotName(sub.oid as number, rel.srrelid as number, this.host.systemId());
    // a copy interrupted before its commit left nothing behind but perhaps its slot
    await conn.request({ t: 'l_drop_slot', name: slot }).catch(() => {});
    const result = await conn.request({ t: 'l_create_slot', name: slot, failover: sub.subfailover === true, copy: [table] });
    await this.sql('begin');
    try {
      for (const copy of result.copies) {
        const cols = this.targetColumns(copy.relation);
        for (let i = 0; i < copy.rows.length; i += COPY_BATCH) {
          const batch = copy.rows.slice(i, i + COPY_BATCH);
          const values = batch.map((_, r) => `(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
          await this.sql(`insert into ${q(table)} (${cols.map(q).join(', ')}) values ${values}`, batch.flat());
        }
      }
      await this.sql(`update pg_subscription_rel set srsubstate = 'f', srsublsn = $3 where srsubid = $1 and srrelid = $2`, [sub.oid, rel.srrelid, formatLsn(result.lsn!)]);
      await this.sql('commit');
    } catch (e) {
      await this.sql('rollback').catch(() => {});
      throw e;
    }
  }

  /** The copy is in: the table-sync slot goes, and the table waits for the stream to pass its LSN (s). */
  private async finishSync(conn: PublisherConnection, sub: CatalogRow, rel: CatalogRow): Promise<void> {
    await conn.request({ t: 'l_drop_slot', name: syncSlotName(sub.oid as number, rel.srrelid as number, this.host.systemId()) }).catch(() => {});
    await this.sql(`update pg_subscription_rel set srsubstate = 's' where srsubid = $1 and srrelid = $2`, [sub.oid, rel.srrelid]);
  }

  private async stream(conn: PublisherConnection, sub: CatalogRow): Promise<void> {
    this.queue = [];
    this.piece = undefined;
    const primary = await conn.ready();
    await conn.send(primary, { t: 'l_start', slot: sub.subslotname as string, publications: parseNameArray(sub.subpublications as string), lsn: this.origin });
    for (;;) {
      const msg = await this.next();
      if (!msg || this.stopped) return;
      const now = new Date();
      this.stats.lastMsgReceiptTime = now;
      this.stats.lastMsgSendTime = now;
      if (msg.t === 'l_error') {
        if (msg.code === 'reconnect') throw new Reconnect(msg.message);
        throw new SqlError(msg.code, msg.message, { detail: msg.detail });
      }
      if (msg.t === 'l_keepalive') {
        this.stats.receivedLsn = Math.max(this.stats.receivedLsn ?? 0, msg.walEnd);
        await this.readyTables(sub, msg.walEnd);
        // nothing published is in flight: the publisher may forget everything up to walEnd
        if (!this.queue.length) await conn.send(primary, { t: 'l_feedback', flush: Math.max(this.origin, msg.walEnd) }).catch(() => {});
        continue;
      }
      if (msg.t !== 'l_txn') continue;
      // the pieces of a large transaction are joined before any of it is applied
      const txn: DecodedTxn = this.piece ? { ...msg.txn, changes: [...this.piece.changes, ...msg.txn.changes], relations: msg.txn.relations } : msg.txn;
      this.piece = msg.more ? txn : undefined;
      if (msg.more) continue;
      this.stats.receivedLsn = txn.end;
      if (txn.end <= this.origin) continue;
      await this.applyTxn(sub, txn);
      this.stats.latestEndLsn = txn.end;
      this.stats.latestEndTime = new Date();
      await conn.send(primary, { t: 'l_feedback', flush: this.origin }).catch(() => {});
    }
  }

  /** Tables in state s whose sync LSN the stream has passed become ready. */
  private async readyTables(sub: CatalogRow, lsn: Lsn): Promise<void> {
    const due = this.rels(sub.oid as number).filter((r) => r.srsubstate === 's' && lsnOf(r.srsublsn) <= lsn);
    for (const r of due) await this.sql(`update pg_subscription_rel set srsubstate = 'r' where srsubid = $1 and srrelid = $2`, [sub.oid, r.srrelid]);
  }

  private async applyTxn(sub: CatalogRow, txn: DecodedTxn): Promise<void> {
    const states = new Map(this.rels(sub.oid as number).map((r) => [this.tableNameOrNull(r.srrelid as number), r]));
    await this.sql('begin');
    try {
      for (const change of txn.changes) {
        const rels = change.op === 'truncate' ? change.rels : [change.rel];
        for (const at of rels) {
          const rel = txn.relations[at];
          if (!rel) throw new SqlError('08P01', `logical replication change refers to unknown relation ${at}`);
          const state = states.get(rel.name);
          // a table not (yet) synchronized, or whose copy already holds this transaction, takes nothing from it
          if (state && state.srsubstate !== 'r' && !(state.srsubstate === 's' && txn.end > lsnOf(state.srsublsn))) continue;
          await this.applyChange(change, rel, txn);
        }
      }
      await this.sql(`update pg_replication_origin_status set remote_lsn = $1 where local_id = $2`, [formatLsn(txn.end), sub.oid]);
      for (const r of states.values()) {
        if (r.srsubstate === 's' && lsnOf(r.srsublsn) <= txn.end) {
          await this.sql(`update pg_subscription_rel set srsubstate = 'r' where srsubid = $1 and srrelid = $2`, [sub.oid, r.srrelid]);
        }
      }
      await this.sql('commit');
      this.origin = txn.end;
    } catch (e) {
      await this.sql('rollback').catch(() => {});
      throw e;
    }
  }

  private async applyChange(change: Change, rel: RelationInfo, txn: DecodedTxn): Promise<void> {
    const table = q(rel.name);
    const cols = this.targetColumns(rel);
    const context = (type: string) =>
      `processing remote data for replication origin "pg_${this.sub().oid}" during message type "${type}" for replication target relation "public.${rel.name}" in transaction ${txn.xid}, finished at ${formatLsn(txn.end)}`;
    try {
      switch (change.op) {
        case 'insert':
          await this.sql(`insert into ${table} (${cols.map(q).join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, change.row);
          return;
        case 'update': {
          const { where, params } = this.identify(rel, change.old ?? change.row, cols.length);
          await this.sql(`update ${table} set ${cols.map((c, i) => `${q(c)} = $${i + 1}`).join(', ')} where ${where}`, [...change.row, ...params]);
          return;
        }
        case 'delete': {
          const { where, params } = this.identify(rel, change.old ?? [], 0);
          await this.sql(`delete from ${table} where ${where}`, params);
          return;
        }
        case 'truncate':
          await this.sql(`truncate ${table}`);
          return;
      }
    } catch (e) {
      // PostgreSQL's CONTEXT line: which origin, message, relation and remote transaction failed
      if (e instanceof SqlError) throw Object.assign(e, { context: context(change.op.toUpperCase()) });
      throw e;
    }
  }

  /** The row's replica identity: the publisher's key columns (all columns without a key). */
  private identify(rel: RelationInfo, old: Value[], offset: number): { where: string; params: Value[] } {
    const names = rel.key.length ? rel.key : rel.columns.map((c) => c.name);
    const params: Value[] = [];
    const where = names.map((n) => {
      const at = rel.columns.findIndex((c) => c.name === n);
      params.push(old[at]);
      return `${q(n)} = $${offset + params.length}`;
    }).join(' and ');
    return { where, params };
  }

  /** The publisher's columns, each of which the subscriber's table must have (PostgreSQL matches by name). */
  private targetColumns(rel: RelationInfo): string[] {
    const oid = this.host.db.state.tableNames.get(rel.name);
    if (oid === undefined) throw new SqlError(SQLSTATE.undefined_object, `logical replication target relation "public.${rel.name}" does not exist`);
    const have = new Set(this.host.db.state.table(oid).def.columns.map((c) => c.name));
    const missing = rel.columns.map((c) => c.name).filter((c) => !have.has(c));
    if (missing.length) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state,
        `logical replication target relation "public.${rel.name}" is missing replicated column${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `"${m}"`).join(', ')}`);
    }
    return rel.columns.map((c) => c.name);
  }

  private tableNameOrNull(oid: number): string | null {
    return this.host.db.state.tables.get(oid)?.def.name ?? null;
  }

  private tableName(oid: number): string {
    const name = this.tableNameOrNull(oid);
    if (name === null) throw new SqlError(SQLSTATE.undefined_table, `relation with OID ${oid} does not exist`);
    return name;
  }
}
