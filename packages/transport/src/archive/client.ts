/**
 * `peerArchive(url, { cluster, key })`: a standby's restore_command source on an always-on peer
 * (`archive: peerArchive('https://peer.example/…', …)` in openNode's options). Read-only: the peer
 * archives what it receives itself (archive_mode = always) and prunes its own archive, so
 * `archive` and `cleanup` do nothing here.
 */
import { ClusterKey } from '../auth.ts';
import { decodeChunks, signQuery, type ArchivedChunk } from './wire.ts';

export interface PeerArchiveOptions {
  cluster: string;
  key: string | readonly string[];
  /** fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface PeerArchive {
  archive(timeline: number, chunks: readonly ArchivedChunk[]): Promise<void>;
  read(timeline: number, from: number, maxBytes: number): Promise<ArchivedChunk[]>;
  cleanup(before: number): Promise<void>;
}

/** `url`: the peer's relay address (ws:// or http://, wss:// or https://). */
export function peerArchive(url: string, options: PeerArchiveOptions): PeerArchive {
  const base = url.replace(/^ws(s?):/, 'http$1:').replace(/\/+$/, '');
  const key = ClusterKey.import(options.cluster, options.key);
  const get = options.fetch ?? globalThis.fetch;
  return {
    async archive() {},
    async cleanup() {},
    async read(timeline, from, maxBytes) {
      const path = await signQuery(await key, { timeline, from, maxBytes: Math.min(Math.max(1, Math.floor(maxBytes)), 2 ** 31), time: Date.now() });
      const res = await get(`${base}${path}`);
      if (!res.ok) throw new Error(`the peer's archive answered ${res.status}: ${await res.text()}`);
      return decodeChunks(new Uint8Array(await res.arrayBuffer()));
    },
  };
}
