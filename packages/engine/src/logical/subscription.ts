/**
 * Subscriptions (PostgreSQL's subscriptioncmds.c): CREATE / ALTER / DROP SUBSCRIPTION as rows of
 * pg_subscription, pg_subscription_rel and the subscription's replication origin. What needs the
 * publisher (creating, altering or dropping its slot, listing the published tables) happens in
 * the statement's `prepare`, before the catalog rows are written, as PostgreSQL's commands talk to
 * the publisher before they commit; those statements refuse to run inside a transaction block.
 */
import type { AlterSubscriptionStmt, CreateSubscriptionStmt, DefElem, DropSubscriptionStmt, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeHooks } from '../sql/env.ts';
import type { StatementPlan } from '../sql/plan.ts';
import type { DbState } from '../state/state.ts';
import { catalogRows, deleteCatalog, formatNameArray, insertCatalog, namedObject, updateCatalog } from './catalog.ts';
import { parseConnInfo } from './conninfo.ts';
import { defString, writePlan } from './publication.ts';

/** What subscription DDL asks of the node's logical replication (logical/logical.ts). */
export interface SubscriptionHooks {
  /** Ask the publisher named by `conninfo`; rejects with the publisher's error. */
  publisher(conninfo: string): PublisherClient;
  /** The subscriptions changed: start, stop or restart their workers. */
  changed(): void;
  /** Stop a subscription's workers now (before its slot is dropped). */
  stop(subname: string): Promise<void>;
  notice(message: string): void;
  systemId(): string;
}

export interface PublisherClient {
  createSlot(name: string, failover: boolean): Promise<number>;
  dropSlot(name: string, missingOk: boolean): Promise<void>;
  alterSlot(name: string, failover: boolean): Promise<void>;
  tables(publications: string[]): Promise<string[]>;
  close(): Promise<void>;
}

function logicalHooks(hooks: NodeHooks): SubscriptionHooks {
  if (!hooks.logical) throw new SqlError(SQLSTATE.feature_not_supported, 'logical replication is not available on this node');
  return hooks.logical;
}

const OPTIONS = new Set(['connect', 'enabled', 'create_slot', 'slot_name', 'copy_data', 'failover', 'binary', 'streaming', 'synchronous_commit',
  'two_phase', 'disable_on_error', 'password_required', 'run_as_owner', 'origin']);

function boolOption(d: DefElem): boolean {
  if (!d.arg) return true;
  const v = (defString(d) ?? '').toLowerCase();
  if (['true', 'on', '1', 'yes', 't', 'y'].includes(v)) return true;
  if (['false', 'off', '0', 'no', 'f', 'n'].includes(v)) return false;
  throw new SqlError(SQLSTATE.syntax_error, `${d.defname} requires a Boolean value`);
}

interface SubOptions {
  connect: boolean;
  enabled: boolean;
  createSlot: boolean;
  slotName: string | null | undefined;
  copyData: boolean;
  failover: boolean;
}

function subOptions(options: readonly Node[] | undefined, allowed: Set<string>): Partial<SubOptions> {
  const out: Partial<SubOptions> = {};
  for (const o of options ?? []) {
    const d = (o as { DefElem: DefElem }).DefElem;
    const name = d.defname!;
    if (!allowed.has(name)) throw new SqlError(SQLSTATE.syntax_error, `unrecognized subscription parameter: "${name}"`);
    switch (name) {
      case 'connect': out.connect = boolOption(d); break;
      case 'enabled': out.enabled = boolOption(d); break;
      case 'create_slot': out.createSlot = boolOption(d); break;
      case 'copy_data': out.copyData = boolOption(d); break;
      case 'failover': out.failover = boolOption(d); break;
      case 'slot_name': {
        const v = defString(d) ?? '';
        out.slotName = v.toLowerCase() === 'none' ? null : v;
        break;
      }
      case 'binary': case 'disable_on_error': case 'password_required': case 'run_as_owner': boolOption(d); break;
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, `subscription parameter "${name}" is not supported`);
    }
  }
  return out;
}

const findSubscription = (state: DbState, name: string) => namedObject(state, 'subscription', name);
const requireSubscription = (state: DbState, name: string) => namedObject(state, 'subscription', name, true);

function localTable(state: DbState, name: string): number {
  const oid = state.tableNames.get(name);
  if (oid === undefined || state.table(oid).def.system) throw new SqlError(SQLSTATE.undefined_table, `relation "public.${name}" does not exist`);
  return oid;
}

const noBlock = (what: string) => new SqlError(SQLSTATE.active_sql_transaction, `${what} cannot run inside a transaction block`);

export function planCreateSubscription(stmt: CreateSubscriptionStmt): StatementPlan {
  const given = subOptions(stmt.options, OPTIONS);
  const connect = given.connect ?? true;
  const o: SubOptions = {
    connect, enabled: given.enabled ?? connect, createSlot: given.createSlot ?? connect, slotName: given.slotName === undefined ? stmt.subname! : given.slotName,
    copyData: given.copyData ?? connect, failover: given.failover ?? false,
  };
  if (!connect && given.enabled) throw new SqlError(SQLSTATE.syntax_error, 'connect = false and enabled = true are mutually exclusive options');
  if (!connect && given.createSlot) throw new SqlError(SQLSTATE.syntax_error, 'connect = false and create_slot = true are mutually exclusive options');
  if (!connect && given.copyData) throw new SqlError(SQLSTATE.syntax_error, 'connect = false and copy_data = true are mutually exclusive options');
  if (o.slotName === null && o.enabled) throw new SqlError(SQLSTATE.syntax_error, 'slot_name = NONE and enabled = true are mutually exclusive options');
  const publications = (stmt.publication ?? []).map((p) => ('String' in p ? p.String.sval! : ''));
  const conninfo = stmt.conninfo ?? '';
  const command = 'CREATE SUBSCRIPTION';
  const unprepared: StatementPlan = {
    command, columns: [], writes: true,
    run: () => { throw new Error('CREATE SUBSCRIPTION runs only after its prepare step'); },
    async prepare(ctx, inBlock) {
      if (inBlock && o.createSlot) throw noBlock('CREATE SUBSCRIPTION ... WITH (create_slot = true)');
      parseConnInfo(conninfo);
      const hooks = logicalHooks(ctx.env.hooks);
      const name = stmt.subname!;
      if (findSubscription(ctx.env.state, name)) throw new SqlError(SQLSTATE.duplicate_object, `subscription "${name}" already exists`);
      let tables: string[] = [];
      if (o.connect) {
        const pub = hooks.publisher(conninfo);
        try {
          tables = await pub.tables(publications);
          for (const t of tables) localTable(ctx.env.state, t);
          if (o.createSlot && o.slotName) {
            await pub.createSlot(o.slotName, o.failover);
            hooks.notice(`created replication slot "${o.slotName}" on publisher`);
          }
        } finally {
          await pub.close();
        }
      } else {
        hooks.notice('subscription was created, but is not connected');
      }
      return writePlan(command, (txn) => {
        if (findSubscription(txn.state, name)) throw new SqlError(SQLSTATE.duplicate_object, `subscription "${name}" already exists`);
        const oid = txn.state.allocateOid();
        insertCatalog(txn, 'pg_subscription', {
          oid, subdbid: 5, subskiplsn: '0/0', subname: name, subowner: 10, subenabled: o.enabled, subbinary: false, substream: 'f',
          subtwophasestate: 'd', subdisableonerr: false, subpasswordrequired: true, subrunasowner: false, subfailover: o.failover,
          subconninfo: conninfo, subslotname: o.slotName, subsynccommit: 'off', subpublications: formatNameArray(publications), suborigin: 'any',
        });
        for (const t of tables) insertCatalog(txn, 'pg_subscription_rel', { srsubid: oid, srrelid: localTable(txn.state, t), srsubstate: o.copyData ? 'i' : 'r', srsublsn: null });
        insertCatalog(txn, 'pg_replication_origin_status', { local_id: oid, external_id: `pg_${oid}`, remote_lsn: '0/0', local_lsn: null });
        afterCommit(ctx.env.hooks);
      });
    },
  };
  return unprepared;
}

/** Workers look at the catalogs after the commit, so they are poked once the statement is done. */
function afterCommit(hooks: NodeHooks): void {
  const logical = hooks.logical;
  if (logical) setTimeout(() => logical.changed(), 0);
}

export function planAlterSubscription(stmt: AlterSubscriptionStmt): StatementPlan {
  const name = stmt.subname!;
  const command = 'ALTER SUBSCRIPTION';
  switch (stmt.kind) {
    case 'ALTER_SUBSCRIPTION_ENABLED': {
      const enabled = boolOption((stmt.options![0] as { DefElem: DefElem }).DefElem);
      return writePlan(command, (txn, hooks) => {
        const sub = requireSubscription(txn.state, name);
        if (enabled && sub.subslotname === null) throw new SqlError(SQLSTATE.syntax_error, 'cannot enable subscription that does not have a slot name');
        updateCatalog(txn, 'pg_subscription', sub, { subenabled: enabled });
        // re-enabling restarts a worker that stopped on an error at once
        afterCommit(hooks);
      });
    }
    case 'ALTER_SUBSCRIPTION_CONNECTION': {
      const conninfo = stmt.conninfo ?? '';
      parseConnInfo(conninfo);
      return writePlan(command, (txn, hooks) => {
        updateCatalog(txn, 'pg_subscription', requireSubscription(txn.state, name), { subconninfo: conninfo });
        afterCommit(hooks);
      });
    }
    case 'ALTER_SUBSCRIPTION_OPTIONS': {
      const o = subOptions(stmt.options, new Set(['failover', 'slot_name', 'binary', 'streaming', 'synchronous_commit', 'disable_on_error', 'password_required', 'run_as_owner', 'origin', 'two_phase']));
      if (o.failover === undefined && o.slotName === undefined) return writePlan(command, (txn) => void requireSubscription(txn.state, name));
      return {
        command, columns: [], writes: true,
        run: () => { throw new Error('ALTER SUBSCRIPTION runs only after its prepare step'); },
        async prepare(ctx, inBlock) {
          const sub = requireSubscription(ctx.env.state, name);
          const slot = o.slotName === undefined ? (sub.subslotname as string | null) : o.slotName;
          if (o.failover !== undefined) {
            if (!slot) throw new SqlError(SQLSTATE.syntax_error, 'cannot set option "failover" for a subscription that does not have a slot name');
            if (sub.subenabled) throw new SqlError(SQLSTATE.syntax_error, 'cannot set failover for enabled subscription');
            if (inBlock) throw noBlock('ALTER SUBSCRIPTION ... SET (failover)');
            const pub = logicalHooks(ctx.env.hooks).publisher(sub.subconninfo as string);
            try {
              await pub.alterSlot(slot, o.failover);
            } finally {
              await pub.close();
            }
          }
          if (o.slotName === null && sub.subenabled) throw new SqlError(SQLSTATE.syntax_error, 'cannot set slot_name = NONE for enabled subscription');
          return writePlan(command, (txn) => {
            const changes: Record<string, unknown> = {};
            if (o.failover !== undefined) changes.subfailover = o.failover;
            if (o.slotName !== undefined) changes.subslotname = o.slotName;
            updateCatalog(txn, 'pg_subscription', requireSubscription(txn.state, name), changes);
            afterCommit(ctx.env.hooks);
          });
        },
      };
    }
    default:
      throw new SqlError(SQLSTATE.feature_not_supported, `ALTER SUBSCRIPTION ${String(stmt.kind).replace('ALTER_SUBSCRIPTION_', '').replace(/_/g, ' ')} is not supported`);
  }
}

export function planDropSubscription(stmt: DropSubscriptionStmt): StatementPlan {
  const name = stmt.subname!;
  const command = 'DROP SUBSCRIPTION';
  return {
    command, columns: [], writes: true,
    run: () => { throw new Error('DROP SUBSCRIPTION runs only after its prepare step'); },
    async prepare(ctx, inBlock) {
      const sub = findSubscription(ctx.env.state, name);
      if (!sub) {
        if (!stmt.missing_ok) throw new SqlError(SQLSTATE.undefined_object, `subscription "${name}" does not exist`);
        logicalHooks(ctx.env.hooks).notice(`subscription "${name}" does not exist, skipping`);
        return writePlan(command, () => {});
      }
      const slot = sub.subslotname as string | null;
      if (slot && inBlock) throw noBlock('DROP SUBSCRIPTION');
      const hooks = logicalHooks(ctx.env.hooks);
      await hooks.stop(name);
      const syncing = catalogRows(ctx.env.state, 'pg_subscription_rel').filter((r) => r.srsubid === sub.oid && (r.srsubstate === 'd' || r.srsubstate === 'f'));
      if (slot) {
        const pub = hooks.publisher(sub.subconninfo as string);
        try {
          for (const r of syncing) await pub.dropSlot(syncSlotName(sub.oid as number, r.srrelid as number, hooks.systemId()), true);
          await pub.dropSlot(slot, false);
          hooks.notice(`dropped replication slot "${slot}" on publisher`);
        } catch (e) {
          throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `could not drop replication slot "${slot}" on publisher: ${e instanceof Error ? e.message : String(e)}`, {
            hint: 'Use ALTER SUBSCRIPTION ... DISABLE to disable the subscription, and ALTER SUBSCRIPTION ... SET (slot_name = NONE) to disassociate it from the slot.',
          });
        } finally {
          await pub.close();
        }
      }
      return writePlan(command, (txn) => {
        const current = requireSubscription(txn.state, name);
        for (const r of catalogRows(txn.state, 'pg_subscription_rel')) if (r.srsubid === current.oid) deleteCatalog(txn, 'pg_subscription_rel', r);
        for (const r of catalogRows(txn.state, 'pg_replication_origin_status')) if (r.local_id === current.oid) deleteCatalog(txn, 'pg_replication_origin_status', r);
        deleteCatalog(txn, 'pg_subscription', current);
        afterCommit(ctx.env.hooks);
      });
    },
  };
}

/** PostgreSQL's table synchronization slot name: pg_<subid>_sync_<relid>_<system identifier>. */
export function syncSlotName(subid: number, relid: number, systemId: string): string {
  return `pg_${subid}_sync_${relid}_${systemId}`;
}
