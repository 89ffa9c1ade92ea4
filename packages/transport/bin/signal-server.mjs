#!/usr/bin/env node
// Starts the walrtc signaling relay (src/signaling/server.ts) under plain node: the built
// dist/ when installed from npm, the TypeScript source through tsx in a checkout of the
// repository. Usage: walrtc-signal [--port 8787] [--host 127.0.0.1] (npm run signal -- … in the repo)
import { existsSync } from 'node:fs';

const source = new URL('../src/signaling/server.ts', import.meta.url);
async function load() {
  if (!existsSync(source)) return import('../dist/signaling/server.js');
  const { register } = await import('tsx/esm/api');
  register();
  return import(source.href);
}
const { startSignalServer } = await load();

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const server = await startSignalServer({
  host: flag('host', process.env.SIGNAL_HOST ?? '127.0.0.1'),
  port: Number(flag('port', process.env.SIGNAL_PORT ?? '8787')),
  log: (m) => console.warn(m),
});
console.log(`walrtc signaling relay listening on ${server.url}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
