/**
 * Drizzle (drizzle-orm/pglite) and Kysely (its built-in PGliteDialect) run on a walrtc node
 * unchanged, in-process and through the worker client: inserts with RETURNING, selects, updates
 * and deletes with affected counts, transactions and nested transactions (savepoints), and
 * bigint/numeric columns that keep their exact values.
 */
import type { PGlite } from '@electric-sql/pglite';
import { arrayContains, arrayOverlaps, asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { bigint, integer, numeric, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { Kysely, PGliteDialect, type Generated } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { NodeApi } from '../src/worker/index.ts';
import { hosts } from './hosts.ts';

let counter = 0;
const options = () => ({ cluster: `orm-${process.pid}-${++counter}`, nodeId: `o${counter}`, storage: 'memory' as const, log: () => {} });

const SCHEMA = 'create table users (id serial primary key, name text not null unique, age int, created_at timestamptz not null default now())';

const users = pgTable('users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  age: integer('age'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

const posts = pgTable('posts', {
  id: serial('id').primaryKey(),
  tags: text('tags').array().notNull(),
  scores: integer('scores').array(),
});

const ledger = pgTable('ledger', {
  id: bigint('id', { mode: 'bigint' }).primaryKey(),
  amount: numeric('amount', { precision: 20, scale: 2 }).notNull(),
});

interface Database {
  users: { id: Generated<number>; name: string; age: number | null; created_at: Generated<Date> };
}

/** The nodes are typed as walrtc's; the drivers want a PGlite: structurally they are one. */
const asPGlite = (node: NodeApi) => node as unknown as PGlite;

describe.each(hosts)('%s', (_name, host) => {
  const open = () => host(options());
  it('Drizzle: insert returning, select, update and delete with affected counts, nested transactions', async () => {
    const node = await open();
    await node.exec(SCHEMA);
    const db = drizzle(asPGlite(node));

    const inserted = await db.insert(users).values([{ name: 'ann', age: 30 }, { name: 'bob', age: 40 }]).returning();
    expect(inserted.map((u) => [u.id, u.name, u.age])).toEqual([[1, 'ann', 30], [2, 'bob', 40]]);
    expect(inserted[0]!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(inserted[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

    const bob = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.name, 'bob'));
    expect(bob).toEqual([{ id: 2, name: 'bob' }]);

    const updated = await db.update(users).set({ age: 31 }).where(eq(users.id, 1));
    expect(updated.affectedRows).toBe(1);
    const deleted = await db.delete(users).where(eq(users.name, 'bob'));
    expect(deleted.affectedRows).toBe(1);
    expect(Number(await db.$count(users))).toBe(1);

    await db.transaction(async (tx) => {
      await tx.insert(users).values({ name: 'outer' });
      await tx.transaction(async (inner) => {
        await inner.insert(users).values({ name: 'kept' });
      });
      await tx.transaction(async (inner) => {
        await inner.insert(users).values({ name: 'undone' });
        inner.rollback();
      }).catch(() => {});
      // a constraint error inside a savepoint leaves the outer transaction usable
      await tx.transaction(async (inner) => {
        await inner.insert(users).values({ name: 'ann' });
      }).catch((e: { cause?: { code?: string } }) => expect(e.cause?.code ?? (e as { code?: string }).code).toBe('23505'));
      await tx.insert(users).values({ name: 'after' });
    });
    await expect(db.transaction(async (tx) => {
      await tx.insert(users).values({ name: 'never' });
      tx.rollback();
    })).rejects.toThrow();

    const names = await db.select({ name: users.name }).from(users).orderBy(asc(users.id));
    expect(names.map((r) => r.name)).toEqual(['ann', 'outer', 'kept', 'after']);
  });

  it("Drizzle: text('tags').array() columns insert, read back and filter with arrayContains/arrayOverlaps", async () => {
    const node = await open();
    await node.exec('create table posts (id serial primary key, tags text[] not null, scores int[])');
    const db = drizzle(asPGlite(node));
    const inserted = await db.insert(posts).values([
      { tags: ['sql', 'wal'], scores: [3, 1] },
      { tags: ['a "quoted", tag', 'sql'] },
      { tags: [] },
    ]).returning();
    expect(inserted.map((p) => [p.id, p.tags, p.scores])).toEqual([[1, ['sql', 'wal'], [3, 1]], [2, ['a "quoted", tag', 'sql'], null], [3, [], null]]);
    const withSql = await db.select({ id: posts.id }).from(posts).where(arrayContains(posts.tags, ['sql'])).orderBy(asc(posts.id));
    expect(withSql).toEqual([{ id: 1 }, { id: 2 }]);
    const overlapping = await db.select({ id: posts.id, tags: posts.tags }).from(posts).where(arrayOverlaps(posts.tags, ['wal', 'none']));
    expect(overlapping).toEqual([{ id: 1, tags: ['sql', 'wal'] }]);
    await db.update(posts).set({ tags: ['edited'] }).where(eq(posts.id, 3));
    expect(await db.select({ tags: posts.tags }).from(posts).where(eq(posts.id, 3))).toEqual([{ tags: ['edited'] }]);
  });

  it("Drizzle: bigint columns in mode 'bigint' and numeric amounts stay exact", async () => {
    const node = await open();
    await node.exec('create table ledger (id bigint primary key, amount numeric(20,2) not null)');
    const db = drizzle(asPGlite(node));
    // 2^53 + 1 and 2^53 + 2 collide as doubles
    const ids = [9007199254740993n, 9007199254740994n, 9223372036854775807n];
    await db.insert(ledger).values(ids.map((id, i) => ({ id, amount: `${i}0000000000000001.10` })));
    const rows = await db.select().from(ledger).orderBy(asc(ledger.id));
    expect(rows).toEqual([
      { id: 9007199254740993n, amount: '1.10' },
      { id: 9007199254740994n, amount: '10000000000000001.10' },
      { id: 9223372036854775807n, amount: '20000000000000001.10' },
    ]);
    const [one] = await db.select({ amount: ledger.amount }).from(ledger).where(eq(ledger.id, 9007199254740994n));
    expect(one).toEqual({ amount: '10000000000000001.10' });
  });

  it('Kysely: insert returning, select, update and delete with affected counts, transactions and savepoints', async () => {
    const node = await open();
    await node.exec(SCHEMA);
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: asPGlite(node) }) });

    const ann = await db.insertInto('users').values({ name: 'ann', age: 30 }).returning(['id', 'name']).executeTakeFirstOrThrow();
    expect(ann).toEqual({ id: 1, name: 'ann' });
    await db.insertInto('users').values([{ name: 'bob', age: 40 }, { name: 'cid', age: 50 }]).execute();
    const older = await db.selectFrom('users').select(['name', 'age']).where('age', '>', 35).orderBy('id').execute();
    expect(older).toEqual([{ name: 'bob', age: 40 }, { name: 'cid', age: 50 }]);

    const updated = await db.updateTable('users').set({ age: 41 }).where('age', '>', 35).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom('users').where('name', '=', 'cid').executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);

    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ name: 'in-tx' }).execute();
    });
    await expect(db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ name: 'rolled-back' }).execute();
      throw new Error('undo');
    })).rejects.toThrow('undo');

    const trx = await db.startTransaction().execute();
    await trx.insertInto('users').values({ name: 'before-savepoint' }).execute();
    const sp = await trx.savepoint('sp1').execute();
    await sp.insertInto('users').values({ name: 'undone-by-savepoint' }).execute();
    await expect(sp.insertInto('users').values({ name: 'ann' }).execute()).rejects.toMatchObject({ code: '23505' });
    const back = await sp.rollbackToSavepoint('sp1').execute();
    const sp2 = await back.savepoint('sp2').execute();
    await sp2.insertInto('users').values({ name: 'released' }).execute();
    await (await sp2.releaseSavepoint('sp2').execute()).commit().execute();

    const names = await db.selectFrom('users').select('name').orderBy('id').execute();
    expect(names.map((r) => r.name)).toEqual(['ann', 'bob', 'in-tx', 'before-savepoint', 'released']);
    await db.destroy();
    expect(node.closed).toBe(true);
  });
});
