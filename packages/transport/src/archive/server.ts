/**
 * The peer's side of restore_command over HTTP: a request handler for the signaling server's
 * HTTP port that answers signed archive reads from a WAL archive. Unsigned, stale or malformed
 * requests get 403/400 with the reason; answers are bounded by ARCHIVE_MAX_BYTES.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClusterKey } from '../auth.ts';
import { ARCHIVE_MAX_BYTES, ARCHIVE_PATH, encodeChunks, verifyQuery, type ArchivedChunk } from './wire.ts';

export interface ArchiveSource {
  read(timeline: number, from: number, maxBytes: number): Promise<ArchivedChunk[]>;
}

export function archiveRequestHandler(source: ArchiveSource, options: { cluster: string; key: string | readonly string[]; log?: (m: string) => void }) {
  const key = ClusterKey.import(options.cluster, options.key);
  return (req: IncomingMessage, res: ServerResponse): void => {
    // the MAC is the credential (no cookies): any origin's page may ask
    res.setHeader('access-control-allow-origin', '*');
    if (req.method !== 'GET' || !req.url?.startsWith(`${ARCHIVE_PATH}/`)) {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
      return;
    }
    void (async () => {
      const q = await verifyQuery(await key, req.url!, Date.now());
      if (typeof q === 'string') {
        options.log?.(`archive request from ${req.socket.remoteAddress} refused: ${q}`);
        res.writeHead(q.startsWith('malformed') || q.startsWith('not') ? 400 : 403, { 'content-type': 'text/plain' }).end(q);
        return;
      }
      const chunks = await source.read(q.timeline, q.from, Math.min(q.maxBytes, ARCHIVE_MAX_BYTES));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }).end(encodeChunks(chunks));
    })().catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`could not read the archive: ${(e as Error).message}`);
    });
  };
}
