/**
 * EXPLAIN ANALYZE's `(actual rows=N loops=L)` on every plan node, against PostgreSQL 15's numbers
 * for the same statements over the same tables (test/reference/explain.json, recorded by
 * scripts/record-explain.ts from explain-corpus.ts). Where walrtc's plan has PostgreSQL's shape,
 * every node's (label, rows, loops) must be PostgreSQL's; where the shapes differ, each node found
 * at the same label path with the same subtree in both plans must have PostgreSQL's counts, and
 * the statements whose shapes differ are listed here, so a change either way shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import { EXPLAIN_CORPUS, EXPLAIN_SETUP } from './reference/explain-corpus.ts';

interface PlanLine {
  column: number;
  label: string;
  /** `rows=N loops=L`, or `never`, and PostgreSQL's `Rows Removed by Filter: N` as ` removed=N` when printed. */
  counts: string;
  rows: string;
  filter: boolean;
  text: string;
}
interface Recorded { sql: string; plan: string[] }

const recorded = (JSON.parse(readFileSync(new URL('./reference/explain.json', import.meta.url), 'utf8')) as { entries: Recorded[] }).entries;

/** The plan's node lines (not their detail lines): where the label starts, the label, `rows/loops` or `never`. */
function nodesOf(plan: readonly string[]): PlanLine[] {
  const out: PlanLine[] = [];
  plan.forEach((line, i) => {
    if (i > 0 && !/^\s*->\s/.test(line)) return;
    const m = /^(\s*(?:->\s+)?)(.*?) \((?:actual rows=(\d+) loops=(\d+)|(never executed))\)$/.exec(line);
    if (!m) throw new Error(`not a node line: ${line}`);
    const filter = plan.slice(i + 1).findIndex((l) => /^\s*->\s/.test(l));
    const details = plan.slice(i + 1, filter < 0 ? undefined : i + 1 + filter);
    // PostgreSQL's `Rows Removed by Filter: N` (printed when N > 0) belongs to the node's counts
    const removed = details.map((l) => /^\s*Rows Removed by Filter: (\d+)$/.exec(l)?.[1]).find((n) => n !== undefined);
    const rows = m[5] ? 'never' : `rows=${m[3]} loops=${m[4]}`;
    out.push({ column: m[1]!.length, label: m[2]!, counts: rows + (removed ? ` removed=${removed}` : ''), rows, filter: details.some((l) => /^\s*Filter: /.test(l)), text: line });
  });
  return out;
}

/**
 * walrtc's plan without the Subquery Scans that only pass their one child's rows on (no Filter):
 * PostgreSQL removes those (a sub-select or view pulled up, or a trivial Subquery Scan), so the
 * rest can be compared. Such a scan must show exactly its child's counts.
 */
function elideSubqueryScans(nodes: PlanLine[]): PlanLine[] {
  const out: PlanLine[] = [];
  const shifts: Array<{ below: number; until: number }> = [];
  nodes.forEach((n, i) => {
    const end = nodes.findIndex((m, j) => j > i && m.column <= n.column);
    if (n.label.startsWith('Subquery Scan on ') && !n.filter) {
      expect(`${n.label}: ${n.rows}`).toBe(`${n.label}: ${nodes[i + 1]!.rows}`);
      shifts.push({ below: n.column, until: end < 0 ? nodes.length : end });
      return;
    }
    const shift = shifts.filter((s) => i < s.until && n.column > s.below).length * 6;
    out.push({ ...n, column: n.column - shift });
  });
  return out;
}

/** Per node: its labels from the root down (each with its place among its siblings), and its subtree's labels with their depths below it. */
function keyed(nodes: PlanLine[]): Array<{ path: string; subtree: string; counts: string }> {
  const place = (i: number): number => {
    let k = 0;
    for (let j = i - 1; j >= 0 && nodes[j]!.column >= nodes[i]!.column; j--) if (nodes[j]!.column === nodes[i]!.column) k++;
    return k;
  };
  return nodes.map((n, i) => {
    const path = [`${n.label}#${place(i)}`];
    let column = n.column;
    for (let j = i - 1; j >= 0; j--) if (nodes[j]!.column < column) { path.unshift(`${nodes[j]!.label}#${place(j)}`); column = nodes[j]!.column; }
    const sub: string[] = [];
    for (let j = i + 1; j < nodes.length && nodes[j]!.column > n.column; j++) sub.push(`${depth(nodes, j) - path.length}:${nodes[j]!.label}`);
    return { path: path.join(' / '), subtree: sub.join(' | '), counts: n.counts };
  });
}

/** How many nodes are above node `i` (PostgreSQL indents a CTE's or sub-plan's nodes further than a child's). */
function depth(nodes: PlanLine[], i: number): number {
  let d = 1, column = nodes[i]!.column;
  for (let j = i - 1; j >= 0; j--) if (nodes[j]!.column < column) { d++; column = nodes[j]!.column; }
  return d;
}

const shape = (nodes: PlanLine[]) => nodes.map((n) => `${n.column}:${n.label}`).join('\n');

/** Statements planned differently from PostgreSQL 15 (its plan is not wrong, only another one). */
const SHAPES_DIFFER = [
  'select * from ea where id = 7', // PostgreSQL scans 200 rows rather than use the index
  'select * from ea, ec where ea.id = ec.id', // Merge Join in PostgreSQL
  'select * from ec join eb on eb.a_id = ec.id where ec.id < 4',
  'select * from ea cross join ec where ea.id < 3', // Materialize in PostgreSQL
  "select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(x, y) where x > 1", // PostgreSQL pulls the sub-select up, the filter onto its scan
  'select * from (select g, count(*) as n from ea group by g) s where n > 1',
  'select * from ev join ec on ec.id = ev.id',
  'with x as materialized (select * from ea where v < 3) select * from x', // PostgreSQL prints the CTE as an InitPlan
  'with x as (select * from ea where v < 3) select * from x a join x b on a.id = b.id',
  'select id from ea where v < 2 union all select id from eb where a_id < 3', // index scan on eb_a here
  'select * from (select id from ea union all select id from ec) u where id < 3', // PostgreSQL pushes the filter into the branches
  'select * from ec left join eb on eb.a_id = ec.id', // Merge Right Join
  'select * from ea left join eb on eb.a_id = ea.id where ea.id < 5', // Hash Right Join, the filter pushed down
  'select * from ee join ea on ea.id = ee.id',
  'select * from ec cross join ee',
  'select * from ec where id = (select max(id) from ea)', // sub-plans are not printed here
  'select ec.name, (select count(*) from eb where eb.a_id = ec.id) from ec',
  'select * from ea, lateral (select * from eb where eb.a_id = ea.id order by eb.id limit 1) s where ea.id < 5',
  'select * from ec left join lateral (select count(*) as n from eb where eb.a_id = ec.id) s on true',
  'select g, sum(v) over (partition by g) from ea where id < 10',
];

let node: Node;
beforeAll(async () => {
  node = await openNode({ cluster: `explain-analyze-${process.pid}`, storage: 'memory', log: () => {} });
  for (const sql of EXPLAIN_SETUP) await node.exec(sql);
});
afterAll(() => node.close());

const ours = async (sql: string) => (await node.query<Record<string, string>>(`explain (analyze, costs off, timing off, summary off) ${sql}`)).rows
  .map((r) => r['QUERY PLAN']!);

describe('EXPLAIN ANALYZE counts rows and loops on every node as PostgreSQL does', () => {
  it('records the whole corpus', () => {
    expect(recorded.map((e) => e.sql)).toEqual([...EXPLAIN_CORPUS]);
  });

  for (const entry of recorded) {
    it(entry.sql, async () => {
      const raw = nodesOf(await ours(entry.sql));
      const mine = elideSubqueryScans(raw);
      const theirs = nodesOf(entry.plan);
      if (shape(mine) === shape(theirs)) {
        expect(SHAPES_DIFFER).not.toContain(entry.sql);
        expect(mine.map((n) => `${n.label}: ${n.counts}`)).toEqual(theirs.map((n) => `${n.label}: ${n.counts}`));
        // and each node's line is PostgreSQL's to the character (one space before its counts)
        if (mine.length === raw.length) expect(mine.map((n) => n.text)).toEqual(theirs.map((n) => n.text));
        return;
      }
      expect(SHAPES_DIFFER).toContain(entry.sql);
      // the top node's rows are the statement's rows, whatever the plan (its filter may sit elsewhere)
      expect(mine[0]!.rows).toBe(theirs[0]!.rows);
      // the same node over the same subtree, wherever the plans agree
      const pg = keyed(theirs);
      const once = (list: ReturnType<typeof keyed>, p: string, s: string) => list.filter((k) => k.path === p && k.subtree === s).length === 1;
      const mineKeyed = keyed(mine);
      const common = mineKeyed.filter((k) => once(mineKeyed, k.path, k.subtree) && once(pg, k.path, k.subtree));
      expect(common.map((k) => `${k.path}: ${k.counts}`)).toEqual(common.map((k) => `${k.path}: ${pg.find((p) => p.path === k.path && p.subtree === k.subtree)!.counts}`));
    });
  }
});

describe('EXPLAIN ANALYZE node by node', () => {
  const text = async (sql: string) => (await ours(sql)).join('\n');

  it('counts the Hash node once with the rows it hashed, and an outer side never run after an empty hash', async () => {
    expect(await text('select * from ea join ec on ec.id = ea.g')).toContain('->  Hash (actual rows=10 loops=1)');
    const empty = await text('select * from ea join ec on ec.id = ea.g where ec.id > 1000');
    expect(empty).toContain('->  Hash (actual rows=0 loops=1)');
    expect(empty).toContain('->  Seq Scan on ea (never executed)');
    expect((await node.query('select * from ea join ec on ec.id = ea.g where ec.id > 1000')).rows).toEqual([]);
  });

  it('counts a node\'s rows after its own Filter', async () => {
    // the WHERE is checked on the LEFT JOIN's rows: 600 joined, 12 kept
    expect(await text('select * from ea left join eb on eb.a_id = ea.id where ea.id < 5')).toMatch(/^Hash Left Join \(actual rows=12 loops=1\)\n {2}Hash Cond: .*\n {2}Filter: \(ea\.id < 5\)/);
    expect(await text('select * from generate_series(1, 10) g where g % 2 = 0')).toContain('Function Scan on generate_series g (actual rows=5 loops=1)');
  });

  it('a node that ran is never shown as not executed, whatever sits above it', async () => {
    for (const sql of [
      'select id from ea union all select id from eb order by id limit 3',
      'select id from ea union select id from ec order by 1',
      'select id from ea intersect select id from ec',
      'select distinct on (g) g, id from ea order by g, id',
      'select g, count(*) from ea group by grouping sets ((g), ())',
      'with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select * from r',
      'select * from ep',
      'select * from ec, unnest(array[ec.id, 0]) u where ec.id < 3',
      'select id, row_number() over (order by v) from ea where id < 5',
      'select * from ec cross join lateral (select * from eb where eb.a_id = ec.id limit 1) s',
      'select * from ec full join (select * from eb where id < 4) b on b.a_id = ec.id',
      'select count(*)',
    ]) {
      const lines = await ours(sql);
      expect({ sql, never: lines.filter((l) => l.includes('never executed')) }).toEqual({ sql, never: [] });
      expect({ sql, zero: lines.filter((l) => l.includes('loops=0')) }).toEqual({ sql, zero: [] });
    }
  });

  it('prints Rows Removed by Filter below a Filter that removed rows, per loop, as PostgreSQL 15', async () => {
    expect(await ours('select * from ea where v < 3')).toEqual(['Seq Scan on ea (actual rows=12 loops=1)', '  Filter: (v < 3)', '  Rows Removed by Filter: 188']);
    expect(await ours('select * from ea where v >= 0')).toEqual(['Seq Scan on ea (actual rows=200 loops=1)', '  Filter: (v >= 0)']);
    // 15 rows removed over 10 loops: 1.5, printed as %.0f does
    const lateral = await ours('select * from ec, lateral (select * from eb where eb.a_id = ec.id and eb.id % 2 = 0 offset 0) s');
    expect(lateral.slice(-3)).toEqual([
      '                    Index Cond: (eb.a_id = ec.id)', '                    Filter: ((eb.id % 2) = 0)', '                    Rows Removed by Filter: 2',
    ]);
    // PostgreSQL 15 prints rows=2 and 2 here: 3 rows and 5 removed over 2 loops, a half rounded to even
    const halves = await ours('select * from (values (2), (3)) v(x), lateral (select * from generate_series(1, 4) g where g > v.x offset 0) s');
    expect(halves.slice(-3)).toEqual([
      '              ->  Function Scan on generate_series g (actual rows=2 loops=2)', '                    Filter: (g > v.x)', '                    Rows Removed by Filter: 2',
    ]);
  });

  it('prints Execution Time unless SUMMARY is off', async () => {
    expect((await ours('values (1)')).some((l) => l.startsWith('Execution Time'))).toBe(false);
    const lines = (await node.query<Record<string, string>>('explain analyze values (1)')).rows.map((r) => r['QUERY PLAN']!);
    expect(lines).toEqual(['Values Scan on "*VALUES*" (actual rows=1 loops=1)', expect.stringMatching(/^Execution Time: \d+\.\d{3} ms$/)]);
  });
});
