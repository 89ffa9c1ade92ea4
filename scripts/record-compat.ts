/**
 * Records the sql:compat corpus (test/compat/corpus.ts) from a real PostgreSQL into
 * test/compat/compat.json: each area runs in order in a fresh database (record-outcomes.ts).
 *   scripts/postgres.sh start 54332
 *   npx tsx scripts/record-compat.ts postgres://postgres@127.0.0.1:54332/postgres
 */
import { writeFileSync } from 'node:fs';
import { recordOutcomes } from './record-outcomes.ts';
import { COMPAT } from '../test/compat/corpus.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: record-compat.ts <postgres url>');
const areas: Record<string, unknown[]> = {};
let version = '';
for (const [area, statements] of Object.entries(COMPAT)) {
  const recorded = await recordOutcomes(url, `walrtc_compat_${area}`, statements);
  version = recorded.version;
  areas[area] = recorded.entries;
}
writeFileSync(new URL('../test/compat/compat.json', import.meta.url), JSON.stringify({ postgres: version, areas }, null, 1) + '\n');
console.log(`recorded ${Object.values(areas).flat().length} statements in ${Object.keys(areas).length} areas from PostgreSQL ${version}`);
