/**
 * `npm run sql:regress`: replays PostgreSQL 15's own regression files (the issue-10 subset,
 * fetched by scripts/regress-provision.ts, never committed) on walrtc against the outcomes
 * recorded from PostgreSQL (test/regress/fixtures/, scripts/record-regress.ts) and prints, per
 * area, the statements matched, refused with 0A000, failed otherwise, WRONG, or differing after a
 * divergence (test/compat/classify.ts), and the psql meta-commands skipped (not statements).
 * `--markdown` prints the README's table; `--wrong`, `--diverged`, `--errors`, `--refused` list
 * those statements; `--causes` groups the failures by SQLSTATE and message. Areas may be named.
 * `--setup` judges the setup files the areas ran after (fixtures/setup.json) and lists their
 * statements that differ; `--roots` ranks the root statements of the failure chains (roots.ts).
 */
import { AREAS, setupFiles } from '../test/regress/corpus.ts';
import { judgeArea, judgeSetup, readFixture, type RegressJudged } from '../test/regress/replay.ts';
import { rankRoots, rootCost } from '../test/regress/roots.ts';
import { verdictTable } from '../test/compat/table.ts';

const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const areas = named.length ? named : [...AREAS];
const judged: RegressJudged[] = [];
for (const area of areas) judged.push(...(await judgeArea(area)));
const markdown = process.argv.includes('--markdown');
const fixtures = new Map(areas.map((a) => [a, readFixture(a)]));
if (!markdown) console.log(`sql:regress: PostgreSQL ${fixtures.get(areas[0]!)!.postgres}'s regression files`);
const meta = { name: 'psql meta', value: (a: string | undefined) => (a ? fixtures.get(a)!.meta : areas.reduce((n, x) => n + fixtures.get(x)!.meta, 0)) };
for (const line of verdictTable(areas, judged, markdown, meta)) console.log(line);

const short = (o: object) => JSON.stringify(o).slice(0, 600);
for (const [flag, v] of [['--wrong', 'WRONG'], ['--diverged', 'diverged'], ['--errors', 'error'], ['--refused', 'refused']] as const) {
  if (!process.argv.includes(flag)) continue;
  for (const j of judged.filter((x) => x.verdict === v)) {
    console.log(`\n[${j.area} #${j.index}] ${j.sql}\n  postgres: ${short(j.postgres)}\n  walrtc:   ${short(j.walrtc)}`);
  }
}
if (process.argv.includes('--causes')) {
  // what walrtc said for each statement it did not match, most frequent first (numbers and names blurred)
  const causes = new Map<string, number>();
  for (const j of judged.filter((x) => x.verdict !== 'matched')) {
    const key = j.walrtc.error ? `${j.verdict} ${j.walrtc.error.code} ${j.walrtc.error.message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N')}` : `${j.verdict} (a result)`;
    causes.set(key, (causes.get(key) ?? 0) + 1);
  }
  console.log('\ncauses:');
  for (const [k, n] of [...causes].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`${String(n).padStart(5)}  ${k}`);
}
if (process.argv.includes('--setup') || process.argv.includes('--roots')) {
  const setup = judgeSetup(areas);
  const files = [...new Set(setup.map((j) => j.area))];
  if (process.argv.includes('--setup')) {
    console.log('\nsetup files:');
    for (const line of verdictTable(files, setup, false)) console.log(line);
    for (const j of setup.filter((x) => x.verdict !== 'matched')) {
      console.log(`\n[${j.area} #${j.index}] ${j.verdict}: ${j.sql}\n  postgres: ${short(j.postgres)}\n  walrtc:   ${short(j.walrtc)}`);
    }
  }
  if (process.argv.includes('--roots')) {
    const setupOf = (area: string) => setupFiles(area).flatMap((file) => setup.filter((j) => j.area === file));
    console.log('\nroots of the 25P02 / 42P01 / 3F000 / 42P07 chains (statements they cost, by area):');
    for (const r of rankRoots(areas, judged, setupOf).slice(0, 60)) {
      const by = [...r.cost].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`).join(', ');
      console.log(`${String(rootCost(r)).padStart(5)}  [${r.where}] ${r.error}\n         ${r.sql.replace(/\s+/g, ' ').slice(0, 160)}\n         (${by})`);
    }
  }
}
