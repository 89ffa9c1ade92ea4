import { openNode } from '@walrtc/engine';
const node = await openNode({ cluster: 'x' + Math.random(), storage: 'memory' });
await node.exec(`create table a (id int primary key, v text); insert into a values (1,'x'),(2,'y'),(3,'z'); create table b (id int, v text)`);
for (const q of process.argv.slice(2)) {
  try { const r = await node.query(q, [], { rowMode: 'array' }); console.log(q, '\n ', r.command, r.rowCount, JSON.stringify(r.fields.map(f=>f.name)), JSON.stringify(r.rows)); }
  catch (e) { console.log(q, '\n  ERR', (e as any).code, (e as Error).message); }
}
await node.close();
