/**
 * Foreign keys and ALTER TABLE … ADD/DROP CONSTRAINT against PostgreSQL 15: replays
 * test/reference/fk-corpus.ts, recorded into fk.json by `scripts/record-values.ts <url> fk`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { FK_CORPUS } from './reference/fk-corpus.ts';
import { mismatches, type Entry } from './reference/replay.ts';

/** Statements PostgreSQL runs that walrtc refuses with 0A000 (not supported yet, never a wrong answer). */
const REFUSED = new Set([
  'create table bad7 (a int, b int, foreign key (a, b) references pk2 deferrable initially deferred)',
]);

const fixture = JSON.parse(readFileSync(new URL('./reference/fk.json', import.meta.url), 'utf8')) as { entries: Entry[] };

describe('foreign keys against PostgreSQL 15 (recorded)', () => {
  let node: Node;
  beforeAll(async () => {
    node = await openNode({ cluster: `fk-reference-${process.pid}`, storage: 'memory' });
  });
  afterAll(async () => {
    await node.close();
  });

  it('the fixture was recorded from the current corpus', () => {
    expect(fixture.entries.map((e) => e.sql)).toEqual(FK_CORPUS);
    for (const sql of REFUSED) expect(FK_CORPUS).toContain(sql);
  });

  it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
    expect((await mismatches(node, fixture.entries, REFUSED)).join('\n')).toBe('');
  });
});
