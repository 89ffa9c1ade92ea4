import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { websocketSignaling } from '../src/index.ts';
import { roomToken, startSignalServer, type SignalServer } from '../src/signaling/server.ts';
import { closeAll, make, until } from './helpers.ts';

let server: SignalServer | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await closeAll();
  await server?.close();
  server = null;
});

describe('websocket signaling', () => {
  it('the signaling server (127.0.0.1, port 0) connects two peers, and only within a room', async () => {
    server = await startSignalServer({ port: 0 });
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const a = make('a', websocketSignaling(server.url)).t;
    const b = make('b', websocketSignaling(server.url)).t;
    const other = make('c', websocketSignaling(server.url), { cluster: 'another' }).t; // another room
    await until('a and b connected', () => a.peers().includes('b') && b.peers().includes('a'));
    const got = new Promise<string>((r) => b.on('message', (from, m) => r(`${from}:${new TextDecoder().decode(m)}`)));
    await a.send('b', new TextEncoder().encode('over ws-signaled webrtc'));
    expect(await got).toBe('a:over ws-signaled webrtc');
    expect(other.peers()).toEqual([]);
    expect(a.peers()).toEqual(['b']);
  });

  it('a peer killed without goodbye is reported left within the heartbeat timeout', async () => {
    server = await startSignalServer({ port: 0 });
    const peerTimeoutMs = 800;
    const a = make('a', websocketSignaling(server.url), { heartbeatMs: 100, peerTimeoutMs }).t;
    const fixture = fileURLToPath(new URL('./fixtures/child-peer.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', fixture, server.url, 'z'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await until('child connected', () => out.includes('peer a') && a.peers().includes('z'), 20_000);
    let leftAt = 0;
    let reason = '';
    a.on('peer-left', (id, r) => {
      if (id === 'z') [leftAt, reason] = [Date.now(), r];
    });
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until('peer-left', () => leftAt > 0, 5000);
    expect(leftAt - killedAt).toBeLessThanOrEqual(peerTimeoutMs + 300);
    expect(reason).toMatch(/no heartbeat from z for \d+ ms/);
    expect(a.peers()).toEqual([]);
  });

  it('peers present the room token a server with a room secret requires', async () => {
    server = await startSignalServer({ port: 0, roomSecret: 'operator secret' });
    const token = roomToken('operator secret', 'test'); // the transport's room is its cluster name
    const a = make('a', websocketSignaling(server.url, { token })).t;
    const b = make('b', websocketSignaling(server.url, { token })).t;
    await until('a and b connected', () => a.peers().includes('b') && b.peers().includes('a'));
    expect(server.connections()).toBe(2);
  });
});
