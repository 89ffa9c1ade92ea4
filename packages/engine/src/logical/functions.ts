/** SQL functions of logical replication: slot creation and slot synchronization, with PostgreSQL's arguments. */
import type { ExecEnv } from '../sql/env.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { formatLsn } from '../wal/lsn.ts';
import type { LogicalReplication } from './logical.ts';

interface SystemFunction {
  type: SqlType;
  fn: (args: Value[], env: ExecEnv) => Value;
}

export function logicalFunctions(logical: () => LogicalReplication): Record<string, SystemFunction> {
  return {
    // a record (slot_name, lsn) in PostgreSQL, shown here in its text form
    pg_create_logical_replication_slot: {
      type: 'text',
      fn: (args) => {
        const name = String(args[0]);
        const lsn = logical().createSlot(name, String(args[1] ?? 'pgoutput'), args[2] === true, args[3] === true, args[4] === true);
        return `(${name},${formatLsn(lsn)})`;
      },
    },
    pg_sync_replication_slots: {
      type: 'text',
      fn: () => {
        logical().slotSync.syncNow();
        return '';
      },
    },
    quote_literal: {
      type: 'text',
      fn: ([v]) => {
        if (v === null || v === undefined) return null;
        const text = String(v);
        const quoted = text.replace(/'/g, "''");
        // PostgreSQL's quote_literal: a backslash makes it an escape string with the backslashes doubled
        return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
      },
    },
  };
}
