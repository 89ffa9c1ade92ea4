/**
 * Drizzle's relational query builder (`db.query.users.findMany({ with: { posts: … } })`) on a
 * walrtc node: it sends `left join lateral (select coalesce(json_agg(…), '[]'::json) …) on true`,
 * one LATERAL sub-select per relation, nested for relations of relations. Kysely's
 * jsonArrayFrom/jsonObjectFrom send `json_agg(agg)` and `to_json(obj)` of whole rows. Each
 * query's result must equal PGlite's (a real PostgreSQL in process) for the same schema and rows.
 */
import { PGlite } from '@electric-sql/pglite';
import { asc, desc, eq, relations } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { Kysely, PGliteDialect } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { describe, expect, it } from 'vitest';
import type { NodeApi } from '../src/worker/index.ts';
import { hosts } from './hosts.ts';

let counter = 0;
const options = () => ({ cluster: `orm-rel-${process.pid}-${++counter}`, nodeId: `r${counter}`, storage: 'memory' as const, log: () => {} });

const users = pgTable('users', { id: serial('id').primaryKey(), name: text('name').notNull() });
const posts = pgTable('posts', {
  id: serial('id').primaryKey(),
  authorId: integer('author_id').notNull().references(() => users.id),
  title: text('title').notNull(),
});
const comments = pgTable('comments', {
  id: serial('id').primaryKey(),
  postId: integer('post_id').notNull().references(() => posts.id),
  body: text('body').notNull(),
});
const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one, many }) => ({
  author: one(users, { fields: [posts.authorId], references: [users.id] }),
  comments: many(comments),
}));
const commentsRelations = relations(comments, ({ one }) => ({ post: one(posts, { fields: [comments.postId], references: [posts.id] }) }));
const schema = { users, posts, comments, usersRelations, postsRelations, commentsRelations };

const DDL = [
  'create table users (id serial primary key, name text not null)',
  'create table posts (id serial primary key, author_id int not null references users (id), title text not null)',
  'create index posts_author on posts (author_id)',
  'create table comments (id serial primary key, post_id int not null references posts (id), body text not null)',
  "insert into users (name) values ('ann'), ('bob'), ('cy')",
  "insert into posts (author_id, title) values (1, 'hello'), (1, 'again'), (2, 'bob''s'), (1, 'third')",
  "insert into comments (post_id, body) values (1, 'nice'), (1, 'thanks'), (3, 'first!')",
];

/** The relational queries an app writes, run on one database. */
async function relationalQueries(db: ReturnType<typeof drizzle<typeof schema>>) {
  return {
    all: await db.query.users.findMany({ with: { posts: true }, orderBy: [asc(users.id)] }),
    nested: await db.query.users.findMany({
      columns: { name: true },
      with: { posts: { columns: { title: true }, orderBy: [desc(posts.id)], with: { comments: { columns: { body: true }, orderBy: [asc(comments.id)] } } } },
      orderBy: [asc(users.id)],
    }),
    limited: await db.query.users.findMany({ with: { posts: { limit: 1, orderBy: [asc(posts.title)] } }, orderBy: [asc(users.id)] }),
    one: await db.query.posts.findFirst({ where: eq(posts.id, 3), with: { author: true, comments: true } }),
    filtered: await db.query.users.findFirst({ where: eq(users.name, 'ann'), with: { posts: { where: eq(posts.title, 'again') } } }),
  };
}

interface Database {
  users: { id: number; name: string };
  posts: { id: number; author_id: number; title: string };
  comments: { id: number; post_id: number; body: string };
}

/** Kysely's nesting helpers: a json array of rows and a json object of one row per outer row. */
async function kyselyQueries(db: Kysely<Database>) {
  return db.selectFrom('users').select((eb) => [
    'users.name',
    jsonArrayFrom(eb.selectFrom('posts').select(['posts.id', 'posts.title']).whereRef('posts.author_id', '=', 'users.id').orderBy('posts.id')).as('posts'),
    jsonObjectFrom(eb.selectFrom('posts').select('posts.title').whereRef('posts.author_id', '=', 'users.id').orderBy('posts.id', 'desc').limit(1)).as('latest'),
  ]).orderBy('users.id').execute();
}

describe.each(hosts)('%s', (_name, host) => {
  it('Drizzle relational queries (LEFT JOIN LATERAL with json_agg) and Kysely json helpers return what PostgreSQL (PGlite) returns', async () => {
    const node: NodeApi = await host(options());
    const pglite = new PGlite();
    try {
      for (const sql of DDL) {
        await node.exec(sql);
        await pglite.exec(sql);
      }
      const sent: string[] = [];
      const ours = await relationalQueries(drizzle(node as unknown as PGlite, { schema, logger: { logQuery: (q) => sent.push(q) } }));
      const theirs = await relationalQueries(drizzle(pglite, { schema }));
      expect(sent.every((q) => /left join lateral/.test(q))).toBe(true);
      expect(ours).toEqual(theirs);
      // the shape a user sees, so a test that passes cannot be two empty answers
      expect(ours.all.map((u) => [u.name, u.posts.map((p) => p.title)])).toEqual([['ann', ['hello', 'again', 'third']], ['bob', ["bob's"]], ['cy', []]]);
      expect(ours.nested[0]).toEqual({ name: 'ann', posts: [{ title: 'third', comments: [] }, { title: 'again', comments: [] }, { title: 'hello', comments: [{ body: 'nice' }, { body: 'thanks' }] }] });
      expect(ours.one).toEqual({ id: 3, authorId: 2, title: "bob's", author: { id: 2, name: 'bob' }, comments: [{ id: 3, postId: 3, body: 'first!' }] });

      const kysely = await kyselyQueries(new Kysely<Database>({ dialect: new PGliteDialect({ pglite: node as unknown as PGlite }) }));
      expect(kysely).toEqual(await kyselyQueries(new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })));
      expect(kysely[0]).toEqual({ name: 'ann', posts: [{ id: 1, title: 'hello' }, { id: 2, title: 'again' }, { id: 4, title: 'third' }], latest: { title: 'third' } });
      expect(kysely[2]).toEqual({ name: 'cy', posts: [], latest: null });
    } finally {
      await pglite.close();
    }
  });
});
