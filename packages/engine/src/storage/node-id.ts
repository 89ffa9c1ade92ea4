/**
 * A node's default identity: generated once per cluster and kept in IndexedDB (`walrtc` database,
 * `nodes` store) so a reopened node is the same node; memory nodes get a fresh one each time.
 */
import { openDB } from 'idb';

export async function defaultNodeId(cluster: string, persistent: boolean): Promise<string> {
  const fresh = `node-${crypto.randomUUID().slice(0, 8)}`;
  if (!persistent) return fresh;
  const db = await openDB('walrtc', 1, { upgrade: (d) => void d.createObjectStore('nodes') });
  try {
    const existing = (await db.get('nodes', cluster)) as string | undefined;
    if (existing) return existing;
    await db.put('nodes', fresh, cluster);
    return fresh;
  } finally {
    db.close();
  }
}
