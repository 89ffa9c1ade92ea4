/**
 * Differential test against PostgreSQL 15 for exact values: replays the recorded corpus
 * (test/reference/values-corpus.ts, recorded into values.json by scripts/record-values.ts) on a
 * walrtc node and compares every int8 and numeric by its exact text and type OID — never by a
 * float tolerance — and every error by SQLSTATE and message.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, SqlError, type Node } from '@walrtc/engine';
import { formatValue } from '../packages/engine/src/sql/values.ts';
import { VALUES_CORPUS } from './reference/values-corpus.ts';

interface Entry {
  sql: string;
  fields?: { name: string; type: number }[];
  rows?: (string | null)[][];
  rowCount?: number;
  error?: { code: string; message: string };
}

const fixture = JSON.parse(readFileSync(new URL('./reference/values.json', import.meta.url), 'utf8')) as { entries: Entry[] };

/** What walrtc answers for one statement, in the fixture's shape. */
async function outcome(node: Node, sql: string): Promise<Omit<Entry, 'sql'>> {
  try {
    const r = await node.query(sql);
    if (!r.fields.length) return { rowCount: r.rowCount };
    return {
      fields: r.fields.map((f) => ({ name: f.name, type: f.dataTypeID })),
      // by position: several columns may share a name (?column?)
      rows: r.rows.map((row) => Object.values(row).map((v, i) => formatValue(v, r.fields[i]!.type))),
    };
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}

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
    const mismatches: string[] = [];
    for (const { sql, ...want } of fixture.entries) {
      const got = await outcome(node, sql);
      // DDL reports no count in PostgreSQL; DML counts must agree
      if (want.rowCount === null) {
        delete want.rowCount;
        delete got.rowCount;
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${sql}\n  postgres: ${JSON.stringify(want)}\n  walrtc:   ${JSON.stringify(got)}`);
      }
    }
    expect(mismatches.join('\n')).toBe('');
  });
});
