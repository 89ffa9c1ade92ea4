/**
 * `walrtc-peer`: the command line of startPeer. Options (each also as an environment variable
 * WALRTC_<NAME>, e.g. WALRTC_KEY, which keeps the key out of `ps`):
 *   --cluster NAME --key KEY | --key-file PATH --data DIR
 *   [--node-id ID] [--host 127.0.0.1] [--port 8787] [--signal ws://…] [--no-listen]
 *   [--role auto|standby] [--preferred-primary] [--upstream NODE] [--loopback-only] [--health-interval MS]
 *   [--postgres URL --publication NAME [--slot NAME] [--create-publication 'a,b' | '*']]
 * SIGTERM or SIGINT closes it cleanly (exit 0); a failure to start exits 1 with a FATAL line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pgLogger } from './log.ts';
import { startPeer, type PeerOptions } from './peer.ts';

const OPTIONS = {
  cluster: { type: 'string' },
  key: { type: 'string' },
  'key-file': { type: 'string' },
  data: { type: 'string' },
  'node-id': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  signal: { type: 'string' },
  'no-listen': { type: 'boolean' },
  role: { type: 'string' },
  upstream: { type: 'string' },
  'preferred-primary': { type: 'boolean' },
  'loopback-only': { type: 'boolean' },
  'health-interval': { type: 'string' },
  postgres: { type: 'string' },
  publication: { type: 'string' },
  slot: { type: 'string' },
  'create-publication': { type: 'string' },
} as const;

export class UsageError extends Error {}

export function parsePeerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PeerOptions {
  const { values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true });
  const get = (name: keyof typeof OPTIONS): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : env[`WALRTC_${name.toUpperCase().replace(/-/g, '_')}`];
  };
  const need = (name: keyof typeof OPTIONS) => get(name) ?? fail(`--${name} is required`);
  const fail = (m: string): never => {
    throw new UsageError(m);
  };
  const keyFile = get('key-file');
  const key = get('key') ?? (keyFile ? readFileSync(keyFile, 'utf8').trim() : fail('--key (or --key-file, or WALRTC_KEY) is required'));
  const int = (name: keyof typeof OPTIONS) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isSafeInteger(n) && n >= 0 ? n : fail(`--${name} must be a non-negative integer, not "${v}"`);
  };
  const role = get('role');
  if (role !== undefined && role !== 'auto' && role !== 'standby') fail(`--role must be auto or standby, not "${role}"`);
  const postgres = get('postgres');
  const created = get('create-publication');
  return {
    cluster: need('cluster'),
    key,
    dataDir: need('data'),
    nodeId: get('node-id'),
    listen: values['no-listen'] ? false : { host: get('host') ?? '127.0.0.1', port: int('port') ?? 8787 },
    signaling: get('signal'),
    role: role as PeerOptions['role'],
    upstream: get('upstream'),
    preferredPrimary: values['preferred-primary'] ?? false,
    loopbackOnly: values['loopback-only'] ?? false,
    healthIntervalMs: int('health-interval'),
    bridge: postgres
      ? { postgres, publication: need('publication'), slot: get('slot'), createPublication: created === undefined ? undefined : created === '*' ? '*' : created.split(',').map((s) => s.trim()) }
      : undefined,
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  const log = pgLogger((line) => void process.stderr.write(`${line}\n`));
  let options: PeerOptions;
  try {
    options = parsePeerArgs(argv);
  } catch (e) {
    log('warning', `FATAL:  ${(e as Error).message}`);
    process.stderr.write('usage: walrtc-peer --cluster NAME --key KEY --data DIR [--port 8787] [--postgres URL --publication NAME]\n');
    process.exit(2);
  }
  let peer;
  try {
    peer = await startPeer(options);
  } catch (e) {
    log('warning', `FATAL:  ${(e as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void peer.close().then(() => process.exit(0), (e) => {
      log('warning', `FATAL:  ${(e as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
