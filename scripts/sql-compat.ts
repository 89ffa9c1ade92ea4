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
import { judgeAll, type Verdict } from '../test/compat/classify.ts';
import type { Entry } from '../test/reference/replay.ts';

const fixture = JSON.parse(readFileSync(new URL('../test/compat/compat.json', import.meta.url), 'utf8')) as { postgres: string; areas: Record<string, Entry[]> };
const judged = await judgeAll(fixture.areas);
const VERDICTS: Verdict[] = ['matched', 'refused', 'error', 'WRONG', 'diverged'];
const rows = Object.keys(fixture.areas).map((area) => {
  const mine = judged.filter((j) => j.area === area);
  return { area, total: mine.length, ...Object.fromEntries(VERDICTS.map((v) => [v, mine.filter((j) => j.verdict === v).length])) } as Record<string, string | number>;
});
const total = { area: '**total**', total: judged.length, ...Object.fromEntries(VERDICTS.map((v) => [v, judged.filter((j) => j.verdict === v).length])) } as Record<string, string | number>;
const pct = (n: number) => `${Math.round((100 * n) / judged.length)} %`;

if (process.argv.includes('--markdown')) {
  console.log('| area | statements | matched | refused (0A000) | other error | WRONG | differs after divergence |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of [...rows, total]) console.log(`| ${r.area} | ${r.total} | ${r.matched} | ${r.refused} | ${r.error} | ${r.WRONG} | ${r.diverged} |`);
} else {
  console.log(`sql:compat against PostgreSQL ${fixture.postgres}`);
  console.log(['area'.padEnd(16), 'total', 'matched', 'refused', 'error', 'WRONG', 'diverged'].join('\t'));
  for (const r of [...rows, { ...total, area: 'total' }]) console.log([String(r.area).padEnd(16), r.total, r.matched, r.refused, r.error, r.WRONG, r.diverged].join('\t'));
  console.log(`matched ${pct(total.matched as number)}, refused ${pct(total.refused as number)}, other errors ${pct(total.error as number)}, WRONG ${total.WRONG}, differing after a divergence ${total.diverged}`);
}
for (const [flag, v] of [['--wrong', 'WRONG'], ['--diverged', 'diverged'], ['--errors', 'error'], ['--refused', 'refused']] as const) {
  if (!process.argv.includes(flag)) continue;
  for (const j of judged.filter((x) => x.verdict === v)) {
    console.log(`\n[${j.area}] ${j.sql}\n  postgres: ${JSON.stringify(j.postgres)}\n  walrtc:   ${JSON.stringify(j.walrtc)}`);
  }
}
