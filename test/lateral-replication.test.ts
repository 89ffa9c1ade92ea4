/**
 * LATERAL, GROUPING SETS and row values are read features (issue 10): views and CTEs that use
 * them are ordinary WAL-logged DDL, so a streaming standby and a base-backup standby answer
 * through them exactly as the primary does (PostgreSQL's answers themselves are checked by the
 * lateral, grouping and rowtype corpora in sql-reference.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table authors (id int primary key, name text not null, team text);
  create table books (id int primary key, author int not null references authors (id), title text, sold int);
  create index books_author on books (author);
  insert into authors values (1, 'ann', 'red'), (2, 'bob', 'red'), (3, 'cy', 'blue');
  insert into books values (10, 1, 'a', 5), (11, 1, 'b', 9), (12, 2, 'c', 1), (13, 3, 'd', 4);
  create view best_book as select a.name, b.title from authors a
    left join lateral (select title from books where author = a.id order by sold desc limit 1) b on true;
  create view sales as select team, name, sum(sold) as sold, grouping(team, name) as level
    from authors join books on books.author = authors.id group by rollup (team, name);
  create view author_docs as select id, row_to_json(a) as doc, (id, name)::text as pair from authors a;
`;

const answers = async (node: Node) => ({
  best: (await node.query('select name, title from best_book order by name')).rows,
  sales: (await node.query('select team, name, sold, level from sales order by level, team, name')).rows,
  docs: (await node.query('select doc::text as doc, pair from author_docs order by id', [], { parsers: { 114: (t: string) => t } })).rows,
  cte: (await node.query(`with per as (select a.name, n.c from authors a, lateral (select count(*) as c from books where author = a.id) n)
    select name, c from per where (c, name) >= (1, 'c') order by name`)).rows,
});

const EXPECTED = {
  best: [{ name: 'ann', title: 'b' }, { name: 'bob', title: 'c' }, { name: 'cy', title: 'd' }],
  sales: [
    { team: 'blue', name: 'cy', sold: 4, level: 0 }, { team: 'red', name: 'ann', sold: 14, level: 0 }, { team: 'red', name: 'bob', sold: 1, level: 0 },
    { team: 'blue', name: null, sold: 4, level: 1 }, { team: 'red', name: null, sold: 15, level: 1 }, { team: null, name: null, sold: 19, level: 3 },
  ],
  docs: [
    { doc: '{"id":1,"name":"ann","team":"red"}', pair: '(1,ann)' }, { doc: '{"id":2,"name":"bob","team":"red"}', pair: '(2,bob)' },
    { doc: '{"id":3,"name":"cy","team":"blue"}', pair: '(3,cy)' },
  ],
  cte: [{ name: 'ann', c: 2 }, { name: 'cy', c: 1 }],
};

describe('views and CTEs using LATERAL, ROLLUP and row values on standbys', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby answer as the primary, and follow new rows', async () => {
    c = memoryCluster();
    const { p, streaming, fresh } = await replicatedDdl(c, SCHEMA, answers, EXPECTED);
    await p.node.exec("insert into books values (14, 3, 'e', 50)");
    await caughtUp(p.node, streaming.node);
    await caughtUp(p.node, fresh.node);
    for (const n of [streaming.node, fresh.node]) {
      expect((await n.query('select title from best_book where name = $1', ['cy'])).rows).toEqual([{ title: 'e' }]);
      expect((await n.query('select sold from sales where level = 3')).rows).toEqual([{ sold: 69 }]);
      expect(await n.contentHash()).toBe(await p.node.contentHash());
    }
  });
});
