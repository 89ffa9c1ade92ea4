/**
 * pg_catalog views walrtc can give exactly from its catalog: pg_sequences (every sequence with
 * its options and, once nextval or setval was called, its last value), and the system catalogs of
 * pg-class.ts, pg-attribute.ts and pg-type.ts. Catalogs not listed (pg_constraint, pg_index, …) fail with 42P01.
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import { splitKey } from '../sql/schema/keys.ts';
import { params } from '../sql/sequence/options.ts';
import { canonical } from '../sql/int8.ts';
import { TYPE_NAME } from '../sql/types.ts';
import { PG_CLASS_VIEWS } from './pg-class.ts';
import { PG_ATTRIBUTE_VIEWS } from './pg-attribute.ts';
import { PG_TYPE_VIEWS } from './pg-type.ts';

/** walrtc has no roles: objects belong to the one a PGlite session also runs as. */
const OWNER = 'postgres';

const pgSequences: VirtualTable = {
  columns: [
    { name: 'schemaname', type: 'name' }, { name: 'sequencename', type: 'name' }, { name: 'sequenceowner', type: 'name' },
    { name: 'data_type', type: 'regtype' }, { name: 'start_value', type: 'int8' }, { name: 'min_value', type: 'int8' },
    { name: 'max_value', type: 'int8' }, { name: 'increment_by', type: 'int8' }, { name: 'cycle', type: 'bool' },
    { name: 'cache_size', type: 'int8' }, { name: 'last_value', type: 'int8' },
  ],
  rows: (env: ExecEnv) => [...env.state.sequences.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((s) => {
      const p = params(s.def);
      const key = splitKey(s.def.name);
      return [key.schema, key.name, OWNER, TYPE_NAME[p.type], canonical(p.start), canonical(p.min), canonical(p.max), canonical(p.increment),
        p.cycle, canonical(p.cache), s.called ? s.value : null];
    }),
};

export const PG_CATALOG_VIEWS: Record<string, VirtualTable> = { pg_sequences: pgSequences, ...PG_CLASS_VIEWS, ...PG_ATTRIBUTE_VIEWS, ...PG_TYPE_VIEWS };
