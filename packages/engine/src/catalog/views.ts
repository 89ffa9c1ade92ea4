/**
 * information_schema views over the catalog, with PostgreSQL's column names: enough for a
 * `\dt`/`\d`-like listing (tables, columns, types, nullability, defaults).
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import { TYPE_NAME } from '../sql/types.ts';
import { splitKey } from '../sql/schema/keys.ts';
import { params } from '../sql/sequence/options.ts';
import { viewUpdatable } from '../sql/view/updatable.ts';
import { TEMP_OID_BASE } from '../sql/temp-tables.ts';

/** A relation's schema and own name, as information_schema lists them. */
const where = (key: string) => { const k = splitKey(key); return [k.schema, k.name]; };

const text = (name: string) => ({ name, type: 'text' as const });
const int = (name: string) => ({ name, type: 'int4' as const });

const tables: VirtualTable = {
  columns: [text('table_catalog'), text('table_schema'), text('table_name'), text('table_type')],
  rows: (env: ExecEnv) => [...env.state.tables.values()]
    .filter((t) => !t.def.system)
    .sort((a, b) => (a.def.name < b.def.name ? -1 : 1))
    .map((t) => ['walrtc', ...where(t.def.name), t.def.view ? 'VIEW' : t.def.oid >= TEMP_OID_BASE ? 'LOCAL TEMPORARY' : 'BASE TABLE']),
};

/** Views; their definitions are kept as parse trees, so view_definition is not offered. */
const views: VirtualTable = {
  columns: [text('table_catalog'), text('table_schema'), text('table_name'), text('check_option'), text('is_updatable'), text('is_insertable_into')],
  rows: (env: ExecEnv) => [...env.state.tables.values()]
    .filter((t) => t.def.view)
    .sort((a, b) => (a.def.name < b.def.name ? -1 : 1))
    .map((t) => {
      const updatable = viewUpdatable(t.def, env.state) ? 'YES' : 'NO';
      return ['walrtc', ...where(t.def.name), t.def.view!.checkOption?.toUpperCase() ?? 'NONE', updatable, updatable];
    }),
};

const columns: VirtualTable = {
  columns: [
    text('table_catalog'), text('table_schema'), text('table_name'), text('column_name'), int('ordinal_position'),
    text('column_default'), text('is_nullable'), text('data_type'), int('character_maximum_length'),
    text('is_identity'), text('identity_generation'), text('identity_start'), text('identity_increment'), text('is_generated'),
  ],
  rows: (env: ExecEnv) => {
    const out: unknown[][] = [];
    const sequences = [...env.state.sequences.values()];
    for (const t of env.state.tables.values()) {
      if (t.def.system) continue;
      t.def.columns.forEach((c, i) => {
        const seq = c.identity ? sequences.find((s) => s.def.ownedBy?.table === t.def.oid && s.def.ownedBy.column === c.name) : undefined;
        const p = seq && params(seq.def);
        out.push([
          'walrtc', ...where(t.def.name), c.name, i + 1, c.defaultText ?? null, c.notNull ? 'NO' : 'YES', c.type.startsWith('enum:') ? 'USER-DEFINED' : c.type.endsWith('[]') ? 'ARRAY' : TYPE_NAME[c.type],
          (c.type === 'varchar' || c.type === 'bpchar') && c.typmod > 0 ? c.typmod - 4 : null,
          c.identity ? 'YES' : 'NO', c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : null,
          p ? String(p.start) : null, p ? String(p.increment) : null, c.generated ? 'ALWAYS' : 'NEVER',
        ]);
      });
    }
    return out;
  },
};

export const INFORMATION_SCHEMA: Record<string, VirtualTable> = { tables, columns, views };
