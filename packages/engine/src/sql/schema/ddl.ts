/**
 * CREATE SCHEMA [IF NOT EXISTS] (with its elements: elements.ts) and DROP SCHEMA [IF EXISTS] … [CASCADE | RESTRICT], as WAL-logged
 * catalog changes (create_schema, drop_schema). CASCADE drops the schema's objects through the
 * ordinary DROP statements first (each its own WAL records), so their dependency rules hold.
 */
import type { CreateSchemaStmt, DropStmt, Node } from '@pgsql/types';
import { featureNotSupported, SqlError } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import type { StatementPlan } from '../plan.ts';
import { strings } from '../names.ts';
import { INVALID_SCHEMA_NAME, splitKey, SYSTEM_SCHEMAS } from './keys.ts';
import { runSchemaElements, type PlanElement } from './elements.ts';

type PlanDrop = (stmt: DropStmt) => StatementPlan;

function ddl(command: string, run: (ctx: RunContext) => void): StatementPlan {
  return { command, columns: [], writes: true, run: (ctx) => { run(ctx); return { rows: [], rowCount: 0 }; } };
}

function exists(state: DbState, name: string): boolean {
  return name === 'public' || SYSTEM_SCHEMAS.has(name) || state.schemas.has(name);
}

/** `path`: the search_path it is planned with; `planElement` plans its elements (elements.ts). */
export function planCreateSchema(stmt: CreateSchemaStmt, path: readonly string[], planElement: PlanElement): StatementPlan {
  const name = stmt.schemaname;
  if (!name) throw featureNotSupported('CREATE SCHEMA AUTHORIZATION without a schema name');
  return ddl('CREATE SCHEMA', (ctx) => {
    const txn = ctx.env.txn!;
    if (exists(txn.state, name)) {
      if (stmt.if_not_exists) return;
      throw new SqlError('42P06', `schema "${name}" already exists`);
    }
    if (name.startsWith('pg_')) throw new SqlError('42939', `unacceptable schema name "${name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
    if (name.includes('.')) throw featureNotSupported('schema names containing "."');
    const s = txn.state;
    // a public relation named "app.t" would have the key of app's t (sql/schema/keys.ts)
    const clash = [s.tableNames, s.indexNames, s.sequenceNames, s.typeNames].some((m) => [...m.keys()].some((k) => splitKey(k).schema === name));
    if (clash) throw featureNotSupported(`CREATE SCHEMA ${name} while public has relations named "${name}.…"`);
    txn.write({ kind: 'create_schema', name, oid: s.allocateOid() });
    if (stmt.schemaElts?.length) runSchemaElements(ctx, name, stmt.schemaElts, path, planElement);
  });
}

/** The schema's objects as PostgreSQL lists them (creation order), each with its DROP statement kind. */
function members(state: DbState, schema: string): { oid: number; key: string; what: string; kind: DropStmt['removeType'] }[] {
  const out: ReturnType<typeof members> = [];
  const mine = (key: string) => splitKey(key).schema === schema;
  for (const [key, oid] of state.tableNames) {
    if (!mine(key)) continue;
    const view = state.table(oid).def.view !== undefined;
    out.push({ oid, key, what: view ? 'view' : 'table', kind: view ? 'OBJECT_VIEW' : 'OBJECT_TABLE' });
  }
  // a serial's sequence belongs to its column, not to the schema
  for (const [key, oid] of state.sequenceNames) if (mine(key) && !state.sequences.get(oid)?.def.ownedBy) out.push({ oid, key, what: 'sequence', kind: 'OBJECT_SEQUENCE' });
  for (const [key, oid] of state.typeNames) if (mine(key)) out.push({ oid, key, what: 'type', kind: 'OBJECT_TYPE' });
  return out.sort((a, b) => a.oid - b.oid);
}

function dropOf(key: string, kind: DropStmt['removeType'], cascade: boolean): DropStmt {
  const name: Node = { String: { sval: key } };
  const object: Node = kind === 'OBJECT_TYPE' ? { TypeName: { names: [name] } } : { List: { items: [name] } };
  return { objects: [object], removeType: kind, behavior: cascade ? 'DROP_CASCADE' : 'DROP_RESTRICT', missing_ok: true };
}

export function planDropSchema(stmt: DropStmt, planDrop: PlanDrop, planDropType: PlanDrop): StatementPlan {
  const names = (stmt.objects ?? []).map((o) => strings([o])[0]!);
  const cascade = stmt.behavior === 'DROP_CASCADE';
  return ddl('DROP SCHEMA', (ctx) => {
    const txn = ctx.env.txn!;
    for (const name of names) {
      if (name === 'public' || SYSTEM_SCHEMAS.has(name)) throw featureNotSupported(`DROP SCHEMA ${name}`);
      if (!txn.state.schemas.has(name) && !stmt.missing_ok) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${name}" does not exist`);
    }
    for (const name of names) {
      if (!txn.state.schemas.has(name)) continue;
      const objects = members(txn.state, name);
      if (objects.length && !cascade) {
        throw new SqlError('2BP01', `cannot drop schema ${name} because other objects depend on it`, {
          detail: objects.map((o) => `${o.what} ${o.key} depends on schema ${name}`).join('\n'),
          hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      // views first (they may read the tables), types last (tables use them)
      const order = ['OBJECT_VIEW', 'OBJECT_TABLE', 'OBJECT_SEQUENCE', 'OBJECT_TYPE'];
      for (const kind of order) {
        for (const o of objects) {
          if (o.kind !== kind) continue;
          const plan = kind === 'OBJECT_TYPE' ? planDropType(dropOf(o.key, kind, false)) : planDrop(dropOf(o.key, kind, kind === 'OBJECT_VIEW' || kind === 'OBJECT_TABLE'));
          plan.run(ctx);
        }
      }
      txn.write({ kind: 'drop_schema', name });
    }
  });
}
