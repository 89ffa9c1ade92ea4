#!/usr/bin/env node
// Starts the walrtc signaling relay (src/signaling/server.ts) under plain node: the built dist/
// when installed from npm, the TypeScript source through tsx in a checkout of the repository.
// Usage: walrtc-signal (npm run signal -- in the repo) [--port 8787] [--host 127.0.0.1] [--trust-proxy]
//          [--max-message-bytes N] [--messages-per-second N] [--bytes-per-second N] [--max-connections-per-ip N]
//          [--max-connections N] [--max-peers-per-room N] [--idle-timeout-ms N] [--max-buffered-bytes N]
//        Room tokens: set SIGNAL_ROOM_SECRET, then `walrtc-signal token <room>` prints a room's token.
import { existsSync } from 'node:fs';

const source = new URL('../src/signaling/server.ts', import.meta.url);
async function load() {
  if (!existsSync(source)) return import('../dist/signaling/server.js');
  const { register } = await import('tsx/esm/api');
  register();
  return import(source.href);
}
const { startSignalServer, roomToken } = await load();

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const number = (name) => {
  const v = flag(name, undefined);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not ${v}`);
  return n;
};
const roomSecret = process.env.SIGNAL_ROOM_SECRET || undefined;

if (args[0] === 'token') {
  if (!roomSecret || !args[1]) throw new Error('usage: SIGNAL_ROOM_SECRET=… npm run signal -- token <room>');
  console.log(roomToken(roomSecret, args[1]));
  process.exit(0);
}

const server = await startSignalServer({
  host: flag('host', process.env.SIGNAL_HOST ?? '127.0.0.1'),
  port: Number(flag('port', process.env.SIGNAL_PORT ?? '8787')),
  trustProxy: args.includes('--trust-proxy'),
  roomSecret,
  maxMessageBytes: number('max-message-bytes'),
  messagesPerSecond: number('messages-per-second'),
  bytesPerSecond: number('bytes-per-second'),
  maxConnectionsPerIp: number('max-connections-per-ip'),
  maxConnections: number('max-connections'),
  maxPeersPerRoom: number('max-peers-per-room'),
  idleTimeoutMs: number('idle-timeout-ms'),
  maxBufferedBytes: number('max-buffered-bytes'),
  log: (m) => console.warn(m),
});
console.log(`walrtc signaling relay listening on ${server.url}${roomSecret ? ' (room tokens required)' : ''}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
