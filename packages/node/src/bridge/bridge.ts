/**
 * The PostgreSQL → walrtc bridge: a logical replication subscriber (pgoutput, protocol 1) whose
 * target is a walrtc primary. It copies the published tables from the slot's own snapshot, then
 * applies every streamed transaction in one walrtc transaction that also records the LSN it ends
 * at, and reports that LSN to PostgreSQL (standby status update) only once the walrtc commit has
 * returned — durable at the node's synchronousCommit level — so a crash loses nothing and a
 * restart, resuming from the LSN stored in walrtc, applies nothing twice. A schema change, a
 * table without a primary key or a value walrtc cannot hold exactly stops it with a BridgeError.
 * Owns its two connections, the relation cache and the queue of received transactions.
 */
import type { Node } from '@walrtc/engine';
import type pg from 'pg';
import { applyRun, checkRelation, RESYNC, copyRows, deleteStatement, finishCopy, insertStatement, prepareCopy, readState, truncateStatement, updateStatement, type Statement } from './apply.ts';
import { BridgeError } from './errors.ts';
import { decodeStream, formatPgLsn, parsePgLsn, statusUpdate, type PgOutputMessage } from './pgoutput.ts';
import { connect, literal, publishedTables, quote, serverInfo, type PgTable } from './source.ts';
import { APPLIED_XACTS, appliedRecordStatement, isRecord, RECORD_PREFIX, withoutDetail } from './writeback.ts';

export type BridgeLogger = (level: 'log' | 'warning', message: string) => void;

export interface BridgeOptions {
  /** The source server: a postgres:// connection string (a role with REPLICATION). */
  postgres: string;
  /** The walrtc node the changes are written into: the cluster's primary. */
  node: Node;
  publication: string;
  /** Create the publication when it does not exist: FOR TABLE these, or '*' FOR ALL TABLES. */
  createPublication?: readonly string[] | '*';
  /** The logical replication slot. Default `walrtc_bridge`. */
  slot?: string;
  /** Rows fetched and inserted per walrtc transaction during the initial copy. Default 5000. */
  copyBatchRows?: number;
  /** Received changes not yet applied before the stream is paused (memory bound). Default 50,000. */
  maxPendingChanges?: number;
  /** How often the applied position is reported to PostgreSQL, in ms. Default 10,000. */
  statusIntervalMs?: number;
  log?: BridgeLogger;
}

export interface BridgeStatus {
  state: 'copying' | 'streaming' | 'stopped';
  slot: string;
  /** PostgreSQL LSN applied in walrtc and acknowledged. */
  appliedLsn: string;
  /** PostgreSQL LSN received. */
  receivedLsn: string;
  pendingChanges: number;
}

export interface Bridge {
  /** Resolves when stop() ends the bridge; rejects with the BridgeError (or connection error) that stopped it. */
  readonly done: Promise<void>;
  status(): BridgeStatus;
  /** Resolves once everything PostgreSQL wrote up to `lsn` ('X/Y') is applied in walrtc (a write-back's verdict.lsn). */
  waitApplied(lsn: string): Promise<void>;
  stop(): Promise<void>;
}

interface Run {
  statements: Statement[];
  endLsn: bigint;
}

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const slot = o.slot ?? 'walrtc_bridge';
  const log = o.log ?? (() => {});
  if ((await o.node.status()).role !== 'primary') throw new BridgeError('25006', 'the bridge writes into the walrtc cluster: its node must be the primary');
  const meta = connect(o.postgres, false);
  await meta.connect();
  let repl: pg.Client | undefined;
  let copying = false;
  try {
    const { version } = await serverInfo(meta);
    if (o.createPublication && !(await meta.query('select 1 from pg_publication where pubname = $1', [o.publication])).rowCount) {
      const what = o.createPublication === '*' ? 'for all tables' : `for table ${o.createPublication.map((t) => quote(t)).join(', ')}`;
      await meta.query(`create publication ${quote(o.publication)} ${what}`);
      log('log', `created publication "${o.publication}"`);
    }
    const tables = await publishedTables(meta, o.publication);
    const stored = await readState(o.node, slot);
    const slotRow = await meta.query('select 1 from pg_replication_slots where slot_name = $1', [slot]);
    repl = connect(o.postgres, true);
    await repl.connect();
    let start: bigint;
    if (stored?.state === 'streaming') {
      if (!slotRow.rowCount) throw new BridgeError('42704', `replication slot "${slot}" does not exist`, `The walrtc copy can no longer follow PostgreSQL. ${RESYNC}`);
      for (const t of tables) checkRelation({ relid: 0, schema: 'public', name: t.name, replicaIdentity: 'd', columns: t.columns.map((c) => ({ ...c, key: t.key.includes(c.name) })) }, stored.tables.find((s) => s.name === t.name));
      if (stored.tables.length !== tables.length) throw new BridgeError('55000', `the tables of publication "${o.publication}" changed since the copy`, RESYNC);
      start = stored.lsn;
      log('log', `logical replication apply worker for slot "${slot}" resumes at ${formatPgLsn(start)}`);
    } else {
      if (slotRow.rowCount) await meta.query('select pg_drop_replication_slot($1)', [slot]);
      copying = true;
      start = await initialCopy(o, repl, slot, version, tables, stored?.tables ?? [], log);
    }
    copying = false;
    await meta.end();
    return stream(o, repl, slot, tables, start, version >= 140000, log);
  } catch (e) {
    await repl?.end().catch(() => {});
    // a copy that failed leaves no slot pinning the server's WAL (the next start copies again)
    if (copying) await dropSlot(meta, slot).catch((d) => log('warning', `could not drop replication slot "${slot}": ${(d as Error).message}`));
    await meta.end().catch(() => {});
    throw e;
  }
}

/**
 * Write-back records go into the engine's walrtc_applied_xacts, which its offline applier creates
 * before it forwards anything; records of transactions applied by other callers of
 * applyForwarded, before that table exists, have no reader in walrtc and are left out. A table
 * made before it had `detail` gets its records without one.
 */
async function withoutOrphanRecords(node: Node, statements: Statement[]): Promise<Statement[]> {
  if (!statements.some(isRecord)) return statements;
  const table = await node.query(`select detail from ${APPLIED_XACTS} limit 0`).then(() => 'current' as const, (e: { code?: string }) => {
    if (e.code === '42P01') return 'missing' as const;
    if (e.code === '42703') return 'old' as const;
    throw e;
  });
  if (table === 'missing') return statements.filter((s) => !isRecord(s));
  return table === 'old' ? statements.map((s) => (isRecord(s) ? withoutDetail(s) : s)) : statements;
}

/** Drop `slot` once the walsender that held it has exited (it stays active for a moment after its connection ends). */
async function dropSlot(meta: pg.Client, slot: string): Promise<void> {
  for (let waited = 0; ; waited += 20) {
    const r = await meta.query<{ active: boolean }>('select active from pg_replication_slots where slot_name = $1', [slot]);
    if (!r.rowCount) return;
    if (!r.rows[0]!.active || waited >= 5000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await meta.query('select pg_drop_replication_slot($1)', [slot]);
}

/** CREATE_REPLICATION_SLOT … (SNAPSHOT 'use') in a repeatable-read transaction, then the tables read in that snapshot. */
async function initialCopy(o: BridgeOptions, repl: pg.Client, slot: string, version: number, tables: PgTable[], previous: PgTable[], log: BridgeLogger): Promise<bigint> {
  await repl.query('begin read only isolation level repeatable read');
  const options = version >= 170000 ? `(SNAPSHOT 'use', FAILOVER true)` : `(SNAPSHOT 'use')`;
  const created = await repl.query<{ consistent_point: string }>(`CREATE_REPLICATION_SLOT ${quote(slot)} LOGICAL pgoutput ${options}`);
  const lsnText = created.rows[0]!.consistent_point;
  log('log', `logical replication slot "${slot}" created at ${lsnText}${version >= 170000 ? ' (failover slot)' : ''}`);
  await prepareCopy(o.node, slot, o.publication, tables, previous);
  const batch = o.copyBatchRows ?? 5000;
  for (const t of tables) {
    const started = performance.now();
    let rows = 0;
    await repl.query(`declare walrtc_copy no scroll cursor for select ${t.columns.map((c) => `${quote(c.name)}::text`).join(', ')} from public.${quote(t.name)}`);
    const fetch = () => repl.query({ text: `fetch ${batch} from walrtc_copy`, rowMode: 'array' });
    let next = fetch();
    for (;;) {
      const r = await next;
      if (!r.rows.length) break;
      // PostgreSQL reads the next batch while walrtc writes this one
      next = fetch();
      next.catch(() => {});
      await copyRows(o.node, t, r.rows as (string | null)[][]);
      rows += r.rows.length;
    }
    await repl.query('close walrtc_copy');
    log('log', `logical replication table synchronization for table "${t.name}" has finished: ${rows} rows in ${Math.round(performance.now() - started)} ms`);
  }
  await repl.query('commit');
  const lsn = parsePgLsn(lsnText);
  await finishCopy(o.node, slot, lsn);
  return lsn;
}

/** `messages`: the server sends logical messages (PostgreSQL 14 and later), which carry write-back records. */
function stream(o: BridgeOptions, repl: pg.Client, slot: string, tables: PgTable[], start: bigint, messages: boolean, log: BridgeLogger): Bridge {
  const maxPending = o.maxPendingChanges ?? 50_000;
  const byName = new Map(tables.map((t) => [t.name, t]));
  const relations = new Map<number, PgTable>();
  const queue: Run[] = [];
  let open: Statement[] | undefined;
  let pending = 0;
  let applied = start;
  let received = start;
  let applying: Promise<void> | undefined;
  let paused = false;
  let state: BridgeStatus['state'] = 'streaming';
  const waiters: { lsn: bigint; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const advance = (lsn: bigint) => {
    if (lsn <= applied) return;
    applied = lsn;
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.lsn <= applied) waiters.splice(i, 1)[0]!.resolve();
  };
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {});

  // pg's Connection sends CopyData and exposes its socket; @types/pg declares neither
  const wire = repl.connection as unknown as { sendCopyFromChunk(chunk: Buffer): void; stream: { pause(): void; resume(): void }; on: pg.Connection['on'] };
  const sendStatus = (lsn: bigint, replyRequested = false) => {
    if (state === 'stopped') return;
    wire.sendCopyFromChunk(Buffer.from(statusUpdate(lsn, replyRequested)));
  };
  const end = async (error?: unknown) => {
    if (state === 'stopped') return;
    state = 'stopped';
    clearInterval(timer);
    clearInterval(poll);
    if (error) log('warning', `ERROR:  ${(error as Error).message}${(error as BridgeError).hint ? `\nHINT:  ${(error as BridgeError).hint}` : ''}`);
    await applying?.catch(() => {});
    await repl.end().catch(() => {});
    log('log', `logical replication apply worker for slot "${slot}" stopped at ${formatPgLsn(applied)}`);
    for (const w of waiters.splice(0)) w.reject(error ?? new BridgeError('57P01', 'the bridge was stopped'));
    if (error) settle.reject(error);
    else settle.resolve();
  };

  const applyLoop = async () => {
    while (queue.length && state === 'streaming') {
      const runs = queue.splice(0, queue.length);
      const fresh = runs.filter((r) => r.endLsn > applied);
      const statements = await withoutOrphanRecords(o.node, fresh.flatMap((r) => r.statements));
      const lsn = runs[runs.length - 1]!.endLsn;
      if (statements.length) await applyRun(o.node, slot, statements, lsn);
      pending -= runs.reduce((n, r) => n + r.statements.length, 0);
      advance(lsn);
      // durable in walrtc: only now may PostgreSQL forget it
      sendStatus(applied);
      if (paused && pending < maxPending / 2) {
        paused = false;
        wire.stream.resume();
      }
    }
  };
  const kick = () => {
    applying ??= applyLoop().catch((e) => void end(e)).finally(() => {
      applying = undefined;
      if (queue.length && state === 'streaming') kick();
    });
  };

  const table = (relid: number) => {
    const t = relations.get(relid);
    if (!t) throw new Error(`change for relation ${relid} before its Relation message`);
    return t;
  };
  const onMessage = (m: PgOutputMessage) => {
    switch (m.tag) {
      case 'begin': open = []; break;
      case 'relation': relations.set(m.relation.relid, checkRelation(m.relation, byName.get(m.relation.name))); break;
      case 'insert': open!.push(insertStatement(table(m.relid), m.tuple)); break;
      case 'update': open!.push(updateStatement(table(m.relid), m.old, m.tuple)); break;
      case 'delete': open!.push(deleteStatement(table(m.relid), m.old)); break;
      case 'truncate': open!.push(truncateStatement(m.relids.map(table))); break;
      case 'commit': {
        const run = { statements: open ?? [], endLsn: m.endLsn };
        open = undefined;
        received = m.endLsn;
        queue.push(run);
        pending += run.statements.length;
        if (pending >= maxPending && !paused) {
          paused = true;
          wire.stream.pause();
        }
        kick();
        break;
      }
      case 'message':
        if (m.transactional && m.prefix === RECORD_PREFIX) open!.push(appliedRecordStatement(m.content));
        break;
      default: break; // origin, type (custom types were refused up front)
    }
  };

  wire.on('copyData', (msg: { chunk: Buffer }) => {
    if (state !== 'streaming') return;
    try {
      const s = decodeStream(new Uint8Array(msg.chunk.buffer, msg.chunk.byteOffset, msg.chunk.byteLength));
      if (s.kind === 'xlogdata') return onMessage(s.message);
      // idle with nothing received unapplied: what PostgreSQL has sent is all applied
      if (!open && !queue.length && !applying) advance(s.walEnd);
      if (s.replyRequested) sendStatus(applied);
    } catch (e) {
      void end(e);
    }
  });
  repl.on('error', (e) => void end(e));
  const command = `START_REPLICATION SLOT ${quote(slot)} LOGICAL ${formatPgLsn(start)} (proto_version '1', publication_names ${literal(quote(o.publication))}${messages ? `, messages 'true'` : ''})`;
  repl.query(command).then(() => end(new BridgeError('08006', 'the PostgreSQL server ended the replication stream')), (e) => end(e));
  const timer = setInterval(() => sendStatus(applied), o.statusIntervalMs ?? 10_000);
  // while someone waits, ask for a keepalive often: its WAL end tells an idle stream has passed their LSN
  // (a position PostgreSQL had not flushed when they asked is reached only later, with no change to send)
  const poll = setInterval(() => waiters.length && sendStatus(applied, true), 100);
  log('log', `logical replication apply worker for slot "${slot}" streaming from ${formatPgLsn(start)}`);

  return {
    done,
    status: () => ({ state, slot, appliedLsn: formatPgLsn(applied), receivedLsn: formatPgLsn(received), pendingChanges: pending }),
    waitApplied: (lsn) => {
      const at = parsePgLsn(lsn);
      if (at <= applied) return Promise.resolve();
      if (state === 'stopped') return Promise.reject(new BridgeError('57P01', 'the bridge was stopped'));
      // an idle server sends keepalives only every wal_sender_timeout / 2: ask for one now
      sendStatus(applied, true);
      return new Promise((resolve, reject) => waiters.push({ lsn: at, resolve, reject }));
    },
    stop: async () => {
      await end();
      await done;
    },
  };
}
