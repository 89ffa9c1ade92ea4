/**
 * Replays the real regression files on walrtc against the outcomes recorded from PostgreSQL
 * (test/regress/fixtures/<area>.json, scripts/record-regress.ts): per area one fresh node, the
 * setup (corpus.ts), then every statement in order, judged as sql:compat judges
 * (test/compat/classify.ts). COPY … FROM is loaded by the harness (copy.ts); `\gexec` runs the
 * statements its query returns.
 */
import { readFileSync } from 'node:fs';
import { SqlError, type Node, type QueryResult } from '../../packages/engine/src/index.ts';
import { parse } from '../../packages/engine/src/sql/parse.ts';
import { entryOf, outcome as walrtcOutcome, RAW } from '../reference/replay.ts';
import { AreaJudge, type Verdict } from '../compat/classify.ts';
import { readArea, setupFiles, statementHash, type Statement } from './corpus.ts';
import { nodeFromTemplate } from './snapshot.ts';
import { tooSlow } from './slow.ts';
import { copyFrom, copyOnWalrtc } from './copy.ts';
import { compact, type AreaFixture, type Outcome, type SetupFixture } from './outcome.ts';

export interface RegressJudged {
  area: string;
  index: number;
  sql: string;
  verdict: Verdict;
  postgres: Outcome;
  walrtc: Outcome;
}

export function readFixture(area: string): AreaFixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${area}.json`, import.meta.url), 'utf8')) as AreaFixture;
}

function statementCount(sql: string): number {
  try {
    return parse(sql).length;
  } catch {
    return 1;
  }
}

/** One statement on walrtc, as psql would send it; an exception that is no SqlError (a crash) as XX000. */
export async function runOnWalrtc(node: Node, s: Statement): Promise<Outcome> {
  try {
    return await runStatement(node, s);
  } catch (e) {
    return { error: { code: 'XX000', message: `crash: ${(e as Error).message}` } };
  }
}

async function runStatement(node: Node, s: Statement): Promise<Outcome> {
  const copy = copyFrom(s.sql);
  if (copy) return copyOnWalrtc(node, copy, s.copyData);
  if (statementCount(s.sql) > 1) {
    // a psql variable holding several statements, sent as one simple query: the last result shows
    try {
      const results = await node.exec(s.sql, RAW);
      return compact(s.sql, entryOf(results[results.length - 1] as unknown as QueryResult<unknown[]>));
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      return { error: { code: e.code, message: e.message } };
    }
  }
  const first = await walrtcOutcome(node, s.sql);
  if (!s.gexec || first.error) return compact(s.sql, first);
  let last: Outcome = first;
  for (const row of first.rows ?? []) for (const cell of row) if (cell !== null) last = await walrtcOutcome(node, cell);
  return compact(s.sql, last);
}

/** What walrtc answered to each setup file's statements, by file (the first replay of each file). */
const setupOutcomes = new Map<string, Outcome[]>();

/** A fresh walrtc node on which `area`'s setup has run (snapshot.ts runs each setup once). */
export function openAreaNode(area: string): Promise<Node> {
  return nodeFromTemplate(setupFiles(area).join('+'), async (node) => {
    for (const file of setupFiles(area)) {
      const outcomes: Outcome[] = [];
      for (const s of readArea(file).statements) outcomes.push(await runOnWalrtc(node, s));
      if (!setupOutcomes.has(file)) setupOutcomes.set(file, outcomes);
    }
    await node.query('rollback').catch(() => undefined);
  });
}

/** Judges the setup files `areas` ran against PostgreSQL's outcomes (fixtures/setup.json); call after judging them. */
export function judgeSetup(areas: readonly string[]): RegressJudged[] {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/setup.json', import.meta.url), 'utf8')) as SetupFixture;
  const out: RegressJudged[] = [];
  for (const file of new Set(areas.flatMap(setupFiles))) {
    const recorded = fixture.files[file];
    const got = setupOutcomes.get(file);
    if (!recorded || !got) throw new Error(`no outcomes for setup file ${file}: re-record with scripts/record-regress.ts setup`);
    const judge = new AreaJudge();
    for (const [index, s] of readArea(file).statements.entries()) {
      const want = recorded[index];
      if (!want || want.hash !== statementHash(s.sql)) throw new Error(`${file} statement ${index} is not the one recorded: re-record with scripts/record-regress.ts setup`);
      const pg: Outcome = { ...want };
      delete (pg as Partial<typeof want>).hash;
      out.push({ area: file, index, sql: s.sql, verdict: judge.judge(s.sql, pg, got[index]!), postgres: pg, walrtc: got[index]! });
    }
  }
  return out;
}

/** Replay `area` on a fresh walrtc node and judge every statement against the fixture. */
export async function judgeArea(area: string): Promise<RegressJudged[]> {
  const fixture = readFixture(area);
  const { statements } = readArea(area);
  const node = await openAreaNode(area);
  const out: RegressJudged[] = [];
  try {
    const judge = new AreaJudge();
    for (const [index, s] of statements.entries()) {
      const want = fixture.statements[index];
      if (!want || want.hash !== statementHash(s.sql)) throw new Error(`${area} statement ${index} is not the one recorded: re-record with scripts/record-regress.ts`);
      const pg: Outcome = { ...want };
      delete (pg as Partial<typeof want>).hash;
      const slow = tooSlow(area, want.hash);
      const got: Outcome = slow ? { error: { code: '57014', message: `not run: too slow on walrtc (${slow})` } } : await runOnWalrtc(node, s);
      out.push({ area, index, sql: s.sql, verdict: judge.judge(s.sql, pg, got), postgres: pg, walrtc: got });
    }
  } finally {
    await node.close();
  }
  return out;
}
