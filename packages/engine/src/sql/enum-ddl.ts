/**
 * CREATE TYPE … AS ENUM, ALTER TYPE … ADD VALUE [IF NOT EXISTS] [BEFORE | AFTER] and DROP TYPE,
 * as WAL-logged catalog changes (create_type, drop_type). A column's type spells the enum's
 * labels (types/enum.ts), so ADD VALUE also rewrites the definitions of the tables using it.
 */
import type { AlterEnumStmt, CreateEnumStmt, DropStmt, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import type { EnumDef } from '../catalog/types.ts';
import type { DbState } from '../state/state.ts';
import type { WriteTxn } from './env.ts';
import type { StatementPlan } from './plan.ts';
import { strings } from './names.ts';
import { enumType, isEnumDef } from './types/enum.ts';
import { typeDependents } from './composite/depends.ts';

function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return { command, columns: [], writes: true, run: (ctx) => { run(ctx.env.txn!); return { rows: [], rowCount: 0 }; } };
}

/** The type's own name: `public.mood` and `mood` are the same; any other schema does not exist. */
function typeName(names: Node[] | undefined): string {
  const parts = strings(names);
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) {
    throw new SqlError('3F000', `schema "${parts[parts.length - 2]}" does not exist`);
  }
  return parts[parts.length - 1]!;
}

function checkLabel(label: string): void {
  if (new TextEncoder().encode(label).length > 63) {
    throw new SqlError('42602', `invalid enum label "${label}"`, { detail: 'Labels must be 63 bytes or less.' });
  }
}

function lookup(state: DbState, name: string): EnumDef {
  const oid = state.typeNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_object, `type "${name}" does not exist`);
  const def = state.types.get(oid)!;
  if (!isEnumDef(def)) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not an enum`);
  return def;
}

export function planCreateEnum(stmt: CreateEnumStmt): StatementPlan {
  const name = typeName(stmt.typeName);
  const labels = strings(stmt.vals);
  return ddl('CREATE TYPE', (txn) => {
    if (txn.state.typeNames.has(name) || txn.state.tableNames.has(name) || [...txn.state.domains.values()].some((d) => d.name === name)) throw new SqlError('42710', `type "${name}" already exists`);
    const seen = new Set<string>();
    for (const l of labels) {
      checkLabel(l);
      // PostgreSQL 15 reports this through its catalog's unique index
      if (seen.has(l)) throw new SqlError('23505', 'duplicate key value violates unique constraint "pg_enum_typid_label_index"');
      seen.add(l);
    }
    txn.write({ kind: 'create_type', type: { oid: txn.state.allocateOid(), name, labels } });
  });
}

export function planAlterEnum(stmt: AlterEnumStmt): StatementPlan {
  const name = typeName(stmt.typeName);
  if (stmt.oldVal !== undefined) throw featureNotSupported('ALTER TYPE … RENAME VALUE');
  const label = stmt.newVal!;
  return ddl('ALTER TYPE', (txn) => {
    const def = lookup(txn.state, name);
    checkLabel(label);
    if (def.labels.includes(label)) {
      if (stmt.skipIfNewValExists) return;
      throw new SqlError('42710', `enum label "${label}" already exists`);
    }
    let at = def.labels.length;
    if (stmt.newValNeighbor !== undefined) {
      const n = def.labels.indexOf(stmt.newValNeighbor);
      if (n < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `"${stmt.newValNeighbor}" is not an existing enum label`);
      at = stmt.newValIsAfter ? n + 1 : n;
    }
    const next: EnumDef = { ...def, labels: [...def.labels.slice(0, at), label, ...def.labels.slice(at)] };
    txn.write({ kind: 'create_type', type: next });
    const before = enumType(def), after = enumType(next);
    for (const t of [...txn.state.tables.values()]) {
      if (!t.def.columns.some((c) => c.type === before)) continue;
      txn.write({ kind: 'alter_table_def', table: { ...t.def, columns: t.def.columns.map((c) => (c.type === before ? { ...c, type: after } : c)) } });
    }
  });
}

export function planDropType(stmt: DropStmt): StatementPlan {
  const names = (stmt.objects ?? []).map((o) => typeName('TypeName' in o ? o.TypeName.names : 'List' in o ? o.List.items : [o]));
  return ddl('DROP TYPE', (txn) => {
    for (const name of names) {
      const oid = txn.state.typeNames.get(name);
      if (oid === undefined) {
        if (stmt.missing_ok) continue;
        throw new SqlError(SQLSTATE.undefined_object, `type "${name}" does not exist`);
      }
      const dependents = typeDependents(txn.state, txn.state.types.get(oid)!);
      if (dependents.length) {
        // dropping what depends on the type (a column's data, another type's attribute) is not built
        if (stmt.behavior === 'DROP_CASCADE') throw featureNotSupported(`DROP TYPE … CASCADE with dependent objects (${dependents[0]})`);
        throw new SqlError('2BP01', `cannot drop type ${name} because other objects depend on it`, {
          detail: dependents.map((d) => `${d} depends on type ${name}`).join('\n'),
          hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      txn.write({ kind: 'drop_type', type: oid });
    }
  });
}
