import { openNode } from './packages/engine/src/index.ts';
const n = await openNode({ cluster: 'q', storage: 'memory', log: () => {} });
for (const s of process.argv.slice(2)) {
  try { const r = await n.query(s); console.log(s, '→', JSON.stringify(r.rows, (_k, v) => typeof v === 'bigint' ? `${v}n` : v), r.fields.map((f) => f.dataTypeID)); }
  catch (e) { console.log(s, '→ ERR', (e as any).code, (e as Error).message); }
}
await n.close();
const m = await openNode({ cluster: 'q2', storage: 'memory', log: () => {} });
await m.query('create table u (id uuid primary key default gen_random_uuid(), x text)');
const r = await m.query<{ id: string }>('insert into u (x) values ($1) returning id', ['a']);
console.log(r.rows, r.fields);
console.log((await m.query('select x from u where id = $1', [r.rows[0]!.id.toUpperCase()])).rows);
console.log((await m.query('insert into u values ($1, $2) returning *', ['bad', 'b']).catch((e) => e.message)));
await m.close();
