#!/usr/bin/env node
// Starts the walrtc signaling relay (packages/transport/src/signaling/server.ts) under plain node,
// loading the TypeScript source through tsx. Usage: npm run signal -- [--port 8787] [--host 127.0.0.1]
import { register } from 'tsx/esm/api';

register();
const { startSignalServer } = await import('../src/signaling/server.ts');

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
