/**
 * Differential test against PostgreSQL 15 for exact values: replays the recorded corpus
 * (test/reference/values-corpus.ts, recorded into values.json by scripts/record-values.ts) on a
 * walrtc node and compares every int8 and numeric by its exact text and type OID — never by a
 * float tolerance — and every error by SQLSTATE and message.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { mismatches, type Entry } from './reference/replay.ts';
import { VALUES_CORPUS } from './reference/values-corpus.ts';

const fixture = JSON.parse(readFileSync(new URL('./reference/values.json', import.meta.url), 'utf8')) as { entries: Entry[] };

describe('int8 and numeric against PostgreSQL 15 (recorded)', () => {
  let node: Node;
  beforeAll(async () => {
    node = await openNode({ cluster: `values-${process.pid}`, storage: 'memory' });
  });
  afterAll(async () => {
    await node.close();
  });

  it('the fixture was recorded from the current corpus', () => {
    expect(fixture.entries.map((e) => e.sql)).toEqual(VALUES_CORPUS);
  });

  it('every statement gives PostgreSQL\'s columns, types, exact text or error', async () => {
    expect((await mismatches(node, fixture.entries)).join('\n')).toBe('');
  });
});
