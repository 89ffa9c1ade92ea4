// walrtc under webpack 5 with no walrtc-specific configuration: webpack emits the parser's wasm
// and the worker from the engine's new URL(…, import.meta.url) references by itself.
import { openNode } from '@walrtc/engine';
import { openWorkerNode } from '@walrtc/engine/worker';

async function main() {
  const page = await openNode({ cluster: 'webpack', nodeId: 'page', storage: 'indexeddb' });
  const mainThread = (await page.query('select 40 + 2 as answer')).rows;
  await page.close();
  const worker = await openWorkerNode({ cluster: 'webpack', nodeId: 'worker', storage: 'indexeddb' });
  const inWorker = (await worker.query('select 6 * 7 as answer')).rows;
  await worker.close();
  document.body.dataset.result = JSON.stringify({ mainThread, inWorker });
}

main().catch((e) => {
  document.body.dataset.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
});
