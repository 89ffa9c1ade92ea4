/**
 * `npm run demo`: build the demo and serve it on 127.0.0.1 from this process (the end-to-end
 * test starts it the same way, so nothing is left running when the caller stops). The URL it
 * gives is http://localhost:…, not 127.0.0.1: browsers treat localhost as a secure context whose
 * tabs may connect to each other over loopback WebRTC; on http://127.0.0.1 Chromium hides host
 * candidates behind mDNS names and tabs never connect unless it runs with
 * --allow-loopback-in-peer-connection and the page holds camera/microphone permission.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `port` 0 picks a free one. `outDir` defaults to apps/demo/dist; a test passes a directory of
 * its own so that two test runs at once never serve each other's half-written build.
 */
export async function startDemo(port = 5298, outDir = join(root, 'dist')): Promise<DemoServer> {
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: port !== 0 } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the demo server has no TCP address');
  return { url: `http://localhost:${address.port}/`, close: () => server.close() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const { url } = await startDemo(Number(process.env.PORT ?? 5298));
  console.log(`walrtc demo ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: open ${url} in several tabs (each tab is a node; ?cluster=name picks a cluster).`);
  console.log('Ctrl+C stops it.');
}
