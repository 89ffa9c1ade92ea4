// walrtc in a plain Vite app, with no walrtc-specific configuration: one node on the page's
// main thread and one in a module worker, both kept in IndexedDB (each load adds a row, so a
// reload shows the previous ones), and a WebRTC transport that loads without native code.
import { openNode, SqlError } from '@walrtc/engine';
import { openWorkerNode } from '@walrtc/engine/worker';
import { broadcastSignaling, webrtcTransport } from '@walrtc/transport';

interface Visit {
  id: number;
  note: string;
}

async function visits(node: { exec(sql: string): Promise<unknown>; query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }, note: string): Promise<Visit[]> {
  const { rows } = await node.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_name = 'visits'`);
  if (rows[0]!.n === 0) await node.exec('create table visits(id serial primary key, note text not null)');
  await node.query('insert into visits(note) values ($1)', [note]);
  return (await node.query<Visit>('select id, note from visits order by id')).rows;
}

async function main() {
  const page = await openNode({ cluster: 'example', nodeId: 'page', storage: 'indexeddb' });
  const mainThread = await visits(page, 'main thread');
  let syntaxError = '';
  try {
    await page.query('selec 1');
  } catch (e) {
    if (e instanceof SqlError) syntaxError = `${e.code} ${e.message}`;
  }
  await page.close();

  const worker = await openWorkerNode({ cluster: 'example', nodeId: 'worker', storage: 'indexeddb' });
  const inWorker = await visits(worker, 'worker');
  await worker.close();

  const transport = webrtcTransport({ cluster: 'example', nodeId: 'page', key: 'example key', signaling: broadcastSignaling() });
  const peers = transport.peers();
  await transport.close();

  const result = { mainThread, inWorker, syntaxError, peers };
  document.getElementById('out')!.textContent = JSON.stringify(result, null, 2);
  document.body.dataset.result = JSON.stringify(result);
}

main().catch((e: unknown) => {
  document.getElementById('out')!.textContent = String(e);
  document.body.dataset.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
});
