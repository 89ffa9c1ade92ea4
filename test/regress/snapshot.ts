/**
 * The setup (test_setup.sql loads 11,000 rows) runs once per process and setup variant; every
 * area then opens its own node on a copy of that node's storage, as a fresh database would be
 * created from a template. The copy shares the template's checkpoint chunks read-only and keeps
 * its own writes.
 */
import { openNode, type Node } from '../../packages/engine/src/index.ts';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import type { CheckpointChunks, Storage } from '../../packages/engine/src/storage/storage.ts';
import type { Lsn } from '../../packages/engine/src/wal/lsn.ts';

const NODE_ID = 'regress';

async function forkStorage(template: Storage): Promise<Storage> {
  const own = memoryStorage();
  const control = await template.readControl();
  const checkpoint = await template.readCheckpoint();
  await own.appendWal(await template.readWal(0 as Lsn));
  if (checkpoint && control) await own.writeCheckpoint(checkpoint, control);
  else if (control) await own.writeControl(control);
  const mine = own.chunks!, theirs = template.chunks!;
  const chunks: CheckpointChunks = {
    put: (list) => mine.put(list),
    async get(keys) {
      const [a, b] = await Promise.all([mine.get(keys), theirs.get(keys)]);
      return keys.map((_, i) => a[i] ?? b[i]);
    },
    retain: (keys) => mine.retain(keys),
  };
  return { ...own, chunks };
}

const templates = new Map<string, Promise<Storage>>();

/** A fresh node holding what `setup` (run once per key) left in its database. */
export async function nodeFromTemplate(key: string, setup: (node: Node) => Promise<void>): Promise<Node> {
  let template = templates.get(key);
  if (!template) {
    template = (async () => {
      const storage = memoryStorage();
      const node = await openNode({ cluster: `regress-${key}`, nodeId: NODE_ID, storage, log: () => {} });
      try {
        await setup(node);
        await node.checkpoint();
      } finally {
        await node.close();
      }
      return storage;
    })();
    templates.set(key, template);
  }
  return openNode({ cluster: `regress-${key}`, nodeId: NODE_ID, storage: await forkStorage(await template), log: () => {} });
}
