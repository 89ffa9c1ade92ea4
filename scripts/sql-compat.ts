/**
 * `npm run sql:compat`: replays the regression-suite corpus (test/compat/, recorded from
 * PostgreSQL 15 by scripts/record-compat.ts) on walrtc and prints, per area, how many statements
 * matched PostgreSQL, were refused with 0A000, failed otherwise, or were WRONG (a success with
 * another result, or where PostgreSQL failed) — and, apart, results that differ only after an
 * earlier statement of the area left a different database (test/compat/classify.ts).
 * `--markdown` prints the table as the README has it; `--wrong`, `--diverged`, `--errors` and
 * `--refused` list those statements with both outcomes.
 */
import { readFileSync } from 'node:fs';
import { judgeAll } from '../test/compat/classify.ts';
import { verdictTable } from '../test/compat/table.ts';
import type { Entry } from '../test/reference/replay.ts';

const fixture = JSON.parse(readFileSync(new URL('../test/compat/compat.json', import.meta.url), 'utf8')) as { postgres: string; areas: Record<string, Entry[]> };
const judged = await judgeAll(fixture.areas);
const markdown = process.argv.includes('--markdown');
if (!markdown) console.log(`sql:compat against PostgreSQL ${fixture.postgres}`);
for (const line of verdictTable(Object.keys(fixture.areas), judged, markdown)) console.log(line);
for (const [flag, v] of [['--wrong', 'WRONG'], ['--diverged', 'diverged'], ['--errors', 'error'], ['--refused', 'refused']] as const) {
  if (!process.argv.includes(flag)) continue;
  for (const j of judged.filter((x) => x.verdict === v)) {
    console.log(`\n[${j.area}] ${j.sql}\n  postgres: ${JSON.stringify(j.postgres)}\n  walrtc:   ${JSON.stringify(j.walrtc)}`);
  }
}
