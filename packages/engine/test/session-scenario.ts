/**
 * The session scenario: one script of statements a PGlite or node-postgres user writes, logged as
 * the user sees each outcome. session.test.ts runs it on walrtc's hosts and on PGlite;
 * scripts/record-session-fixture.ts records it from a real PostgreSQL.
 */

export interface Result {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  command?: string;
  affectedRows?: number;
}

export type Options = { rowMode?: 'array' | 'object'; parsers?: Record<number, (v: string) => unknown>; onNotice?: (n: { severity?: string; code?: string; message?: string }) => void };

/** The part of the PGlite API the scenario uses: walrtc's nodes and PGlite both have it. */
export interface Db {
  query(sql: string, params?: unknown[], options?: Options): Promise<Result>;
  exec(sql: string, options?: Options): Promise<Result[]>;
  transaction<T>(fn: (tx: { query(sql: string, params?: unknown[]): Promise<Result> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Run the scenario; every step appends what a user would see. */
export async function scenario(db: Db): Promise<string[]> {
  const log: string[] = [];
  const onNotice: Options['onNotice'] = (n) => log.push(`  ${n.severity} ${n.code} ${n.message}`);
  const show = (r: Result) => {
    const fields = r.fields.length ? ` fields=${r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(',')}` : '';
    const rows = r.rows.length ? ` rows=${JSON.stringify(r.rows)}` : '';
    return `${r.command?.split(' ')[0]} affected=${r.affectedRows}${fields}${rows}`;
  };
  const q = async (sql: string, params?: unknown[], options: Options = {}) => {
    try {
      log.push(`${sql} → ${show(await db.query(sql, params, { ...options, onNotice }))}`);
    } catch (e) {
      const err = e as { code?: string; message: string };
      log.push(`${sql} → ERROR ${err.code} ${err.message}`);
    }
  };
  const x = async (sql: string) => {
    try {
      log.push(`exec ${sql} → ${(await db.exec(sql, { onNotice })).map(show).join(' | ')}`);
    } catch (e) {
      const err = e as { code?: string; message: string };
      log.push(`exec ${sql} → ERROR ${err.code} ${err.message}`);
    }
  };
  const count = () => q('select count(*)::int as n from t');

  await x('create table t (id int primary key, v text)');
  // BEGIN / ROLLBACK / COMMIT across calls
  await q('BEGIN');
  await q("insert into t values (1, 'a')");
  await q('ROLLBACK');
  await count();
  await q('begin');
  await q("insert into t values (1, 'a')");
  await q('commit');
  await count();
  // a failed block: 25P02 until it ends, and its COMMIT is a ROLLBACK
  await q('begin');
  await q("insert into t values (2, 'b')");
  await q("insert into t values (1, 'dup')");
  await q('select 1');
  await q('savepoint s');
  await q('commit');
  await count();
  // no block: warnings, never errors
  await q('commit');
  await q('rollback');
  await q('savepoint s');
  await q('release savepoint s');
  await q('rollback to savepoint s');
  await q('begin');
  await q('begin');
  await q('end');
  // savepoints, nested, with a constraint error inside one
  await q('start transaction');
  await q("insert into t values (2, 'b')");
  await q('savepoint a');
  await q("insert into t values (1, 'dup')");
  await q("insert into t values (3, 'c')");
  await q('rollback to savepoint a');
  await q("insert into t values (3, 'c')");
  await q('savepoint b');
  await q("insert into t values (4, 'd')");
  await q('release savepoint b');
  await q('savepoint c');
  await q("update t set v = 'changed'");
  await q('rollback to c');
  await q('release nope');
  await q("insert into t values (5, 'e')");
  await q('rollback to a');
  await q('select id, v from t order by id');
  await q('commit');
  await q('select id, v from t order by id');
  await q('begin');
  await q('savepoint x');
  await q('savepoint x');
  await q("insert into t values (3, 'c')");
  await q('release x');
  await q("insert into t values (3, 'c')");
  await q('rollback to x');
  await q('commit');
  await count();
  // transactional DDL: nothing of a rolled-back block survives
  await q('begin');
  await q('create table gone (id serial primary key, a int)');
  await q('insert into gone (a) values (1)');
  await q('create index t_v_idx on t (v)');
  await q('alter table t add column extra int');
  await q('alter table t rename to t_renamed');
  await q('rollback');
  await q('select * from gone');
  await q('select * from t order by id');
  await q('create index t_v_idx on t (v)');
  await q('create table gone (id serial primary key, a int)');
  await q('insert into gone (a) values (7) returning id, a');
  await q('begin');
  await q('drop table gone');
  await q('drop index t_v_idx');
  await q('rollback');
  await q('select id, a from gone');
  // exec's blocks
  await x("BEGIN; insert into t values (10, 'x')");
  await q('ROLLBACK');
  await q('select count(*)::int as n from t where id = 10');
  await x("insert into t values (11, 'y'); select 1/0");
  await q('select count(*)::int as n from t where id = 11');
  await x("insert into t values (12, 'z'); commit; insert into t values (13, 'w'); select 1/0");
  await q('select id from t where id > 10 order by id');
  await x("begin; insert into t values (14, 'v'); insert into t values (1, 'dup'); commit");
  await q('select 1');
  await q('rollback');
  await x("insert into t values (15, 'u'); begin; insert into t values (16, 't')");
  await q('rollback');
  await q('select count(*)::int as n from t where id >= 14');
  // READ ONLY
  await q('begin read only');
  await q('select count(*)::int as n from t');
  await q("insert into t values (20, 'ro')");
  await q('rollback');
  await q('begin');
  await q('set transaction read only');
  await q("update t set v = 'ro'");
  await q('rollback');
  await q('begin');
  await q('select 1');
  await q('set transaction isolation level serializable');
  await q('rollback');
  await q('start transaction isolation level serializable, read write');
  await q("insert into t values (20, 'rw')");
  await q('commit and chain');
  await q("insert into t values (21, 'chained')");
  await q('rollback');
  await q('select id, v from t where id >= 20');
  await q('set transaction read only');
  await q('commit and chain');
  await q('rollback and chain');
  await q('begin isolation level repeatable read read only');
  await q("select nextval('gone_id_seq')");
  await q('rollback to savepoint nowhere');
  await q('rollback');
  await q('begin read only');
  await q('select 1');
  await q('set transaction read write');
  await q('rollback');
  await x("insert into t values (40, 'implicit'); savepoint a");
  await q('select count(*)::int as n from t where id = 40');
  // the PGlite query surface
  await q('select id, v from t where id < 3 order by id', [], { rowMode: 'array' });
  await q('select id, v from t where id = $1', [1], { parsers: { 23: (v: string) => `int4 ${v}` } });
  await q("update t set v = 'u' where id < 4");
  await q('delete from t where id = 3');
  await q("insert into t values (30, 'i'), (31, 'j') returning id");
  await x("insert into t values (32, 'k'); update t set v = 'm' where id >= 30; select 1 as one");
  return log;
}

/** transaction(): exclusive use of the session; an outside write waits, is not part of it, and lands after it. */
export async function transactionScenario(db: Db): Promise<string[]> {
  const log: string[] = [];
  await db.exec('create table t (id int primary key, v text)');
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const tx = db.transaction(async (t) => {
    await t.query("insert into t values (1, 'tx')");
    entered();
    await gate;
    const seen = await t.query('select id from t order by id');
    log.push(`inside sees ${JSON.stringify(seen.rows)}`);
    return 'value';
  });
  await inside;
  const outside = db.query("insert into t values (2, 'outside')").then(() => log.push('outside write done'));
  open();
  log.push(`transaction returned ${await tx}`);
  await outside;
  log.push(`after ${JSON.stringify((await db.query('select id, v from t order by id')).rows)}`);
  const failed = await db.transaction(async (t) => {
    await t.query("insert into t values (3, 'x')");
    throw new Error('fn threw');
  }).catch((e: Error) => e.message);
  log.push(`failed transaction: ${failed}`);
  log.push(`after ${JSON.stringify((await db.query('select count(*)::int as n from t')).rows)}`);
  return log;
}

