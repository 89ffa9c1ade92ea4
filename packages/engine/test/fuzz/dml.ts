/**
 * The surface fuzzer's writes: table z (a unique key beside the primary key, defaults, a serial,
 * a numeric(6,2) that rounds and overflows) and random INSERT … ON CONFLICT DO UPDATE / DO
 * NOTHING, INSERT … SELECT, UPDATE … FROM, DELETE … USING, each with RETURNING, over x and y
 * (fuzz/surface.ts). Their RETURNING rows, counts and errors are compared, then z itself.
 */
import { ExprGen } from './exprs.ts';
import type { Query } from './queries.ts';
import type { Rand } from './schema.ts';
import { XCOLS } from './surface.ts';

export function zTable(r: Rand): string[] {
  const rows = Array.from({ length: r.int(2, 8) }, (_, k) => `(${k + 1}, ${r.chance(0.2) ? 'null' : r.int(0, 9)}, ${r.pick(["'a'", "'b'", "'é'", 'null', "''"])})`);
  return [
    'drop table if exists z',
    "create table z (id int primary key, k int unique, v text default 'd', n numeric(6,2) default 1.5, q serial, t timestamptz default '2024-01-01 00:00:00+00')",
    `insert into z (id, k, v) values ${rows.join(', ')}`,
  ];
}

const RETURNING = ['*', 'id, k, v', 'id, n * 2, q', 'z.id, z.v || \'!\'', 'id, (select count(*) from y) as c'];

/** A random write over z (reading x and y), returning rows so both engines' changes are compared row by row. */
export function dmlStatement(r: Rand): Query {
  const g = new ExprGen(r, XCOLS.filter((c) => ['i', 'n', 's', 'd'].includes(c.sql)));
  const id = () => String(r.int(1, 12));
  const k = () => (r.chance(0.15) ? 'null' : String(r.int(0, 9)));
  const v = () => r.pick(["'a'", "'b'", "'x'", "'é'", 'null', 'default', "'long text'"]);
  const n = () => r.pick(['1', '2.345', '-0.005', '9999.99', '10000', "'NaN'", 'default', '0.125', 'null']);
  const returning = ` returning ${r.pick(RETURNING)}`;
  const rows = (m: number) => Array.from({ length: m }, () => `(${id()}, ${k()}, ${v()}, ${n()})`).join(', ');
  let sql: string;
  switch (r.int(0, 7)) {
    case 0: case 1: {
      const target = r.pick(['(id)', '(k)', 'on constraint z_pkey', '(id) where true']);
      const set = r.pick(['v = excluded.v', "v = z.v || excluded.v, n = z.n + 1", 'k = excluded.k + 100', 'n = excluded.n * 2', 'v = default, k = null', 'id = z.id + 50']);
      const where = r.chance(0.4) ? ` where ${r.pick(['z.k > 3', 'excluded.v is not null', 'z.v <> excluded.v', 'z.n < 5'])}` : '';
      sql = `insert into z (id, k, v, n) values ${rows(r.int(1, 3))} on conflict ${target} do update set ${set}${where}`;
      break;
    }
    case 2: sql = `insert into z (id, k, v, n) values ${rows(r.int(1, 3))} on conflict${r.pick(['', ' (id)', ' (k)'])} do nothing`; break;
    case 3: sql = `insert into z (id, k, v) select id + ${r.int(10, 30)}, ${r.pick(['i', 'null', 'id % 3'])}, ${r.pick(['s', 'd::text', "'sel'"])} from ${r.pick(['x', 'y'])} where ${g.bool(1)}${r.chance(0.5) ? ' on conflict do nothing' : ''}`; break;
    case 4: sql = `update z set ${r.pick(['v = y.s', 'n = y.n', 'k = y.i', 'v = z.v || y.s, n = coalesce(y.n, 0)'])} from y where z.${r.pick(['k', 'id'])} = y.${r.pick(['i', 'id'])}${r.chance(0.5) ? ` and ${g.bool(1).replace(/\b(i|n|s|d)\b/g, 'y.$1')}` : ''}`; break;
    case 5: sql = `delete from z using y where z.${r.pick(['k', 'id'])} ${r.pick(['=', '<'])} y.${r.pick(['i', 'id'])}${r.chance(0.5) ? ` and y.s ${r.pick(['is null', "> 'a'", "= 'ZZ'"])}` : ''}`; break;
    // not `id = id + 1` or `k = k + 1`: whether a row collides with one not yet moved depends on the order rows are visited, which is physical in PostgreSQL
    case 6: sql = `update z set ${r.pick(['n = n * 10', 'n = n / 3', "v = upper(v)", 'k = (select max(i) from y)', 'v = v || k'])} where ${r.pick(['k > 4', 'v is null', 'id in (select id from y)', 'n > 1', 'true'])}`; break;
    default: sql = `delete from z where ${r.pick(['k is null', 'id > 6', "v = 'a'", 'n = 1.5', 'not exists (select 1 from y where y.i = z.k)'])}`;
  }
  return { sql: sql + returning, params: [], keys: null, determined: false, limited: false, loose: false };
}
