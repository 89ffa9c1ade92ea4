import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryNetwork, type Transport } from '../src/index.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));
const msg = (n: number) => Uint8Array.of(n);

function record(t: Transport): string[] {
  const log: string[] = [];
  t.on('peer', (id) => log.push(`peer ${id}`));
  t.on('peer-left', (id, reason) => log.push(`left ${id} (${reason})`));
  t.on('message', (from, m) => log.push(`msg ${from} ${m[0]}`));
  return log;
}

describe('memoryNetwork', () => {
  // delays are driven by fake timers: what a test sees cannot depend on how loaded the machine is
  afterEach(() => void vi.useRealTimers());

  it('connects every node, delivers copies in order, and reports clean close', async () => {
    const net = memoryNetwork();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => net.transport(id));
    const log = record(a);
    await tick();
    expect(a.peers()).toEqual(['b', 'c']);
    expect(log).toEqual(['peer b', 'peer c']);
    const m = msg(1);
    const p = b.send('a', m);
    m[0] = 99; // the sender reusing its buffer must not change what arrives
    await p;
    for (let i = 2; i <= 5; i++) await c.send('a', msg(i));
    await tick();
    expect(log.slice(2)).toEqual(['msg b 1', 'msg c 2', 'msg c 3', 'msg c 4', 'msg c 5']);
    await c.close();
    await tick();
    expect(log.at(-1)).toBe('left c (c closed)');
    await expect(a.send('c', msg(1))).rejects.toMatchObject({ code: 'not-connected' });
    await expect(a.send('b', new Uint8Array(64 * 1024 * 1024 + 1))).rejects.toMatchObject({ code: 'too-large' });
  });

  it('partition cuts links both ways (peer-left, sends fail), heal restores them', async () => {
    const net = memoryNetwork();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => net.transport(id));
    await tick();
    const la = record(a);
    const lc = record(c);
    net.partition(['a'], ['b', 'c']);
    await tick();
    expect(la).toEqual(['left b (network partition)', 'left c (network partition)']);
    expect(lc).toEqual(['left a (network partition)']);
    expect(b.peers()).toEqual(['c']);
    await expect(a.send('b', msg(1))).rejects.toMatchObject({ code: 'not-connected' });
    net.heal();
    await tick();
    expect(la.slice(2)).toEqual(['peer b', 'peer c']);
    expect(a.peers()).toEqual(['b', 'c']);
    await b.send('a', msg(7));
    await tick();
    expect(la.at(-1)).toBe('msg b 7');
  });

  it('a message in flight across a new partition is lost, not delivered late', async () => {
    const net = memoryNetwork();
    const [a, b] = ['a', 'b'].map((id) => net.transport(id));
    await tick();
    const lb = record(b);
    vi.useFakeTimers();
    net.delay(20);
    await a.send('b', msg(1));
    net.partition(['a'], ['b']);
    await vi.advanceTimersByTimeAsync(40);
    expect(lb).toEqual(['left a (network partition)']);
  });

  it('drop loses the given fraction (seeded), delay defers delivery and keeps order', async () => {
    const net = memoryNetwork({ seed: 42 });
    const [a, b] = ['a', 'b'].map((id) => net.transport(id));
    await tick();
    const got: number[] = [];
    b.on('message', (_f, m) => got.push(new DataView(m.buffer).getUint16(0)));
    net.drop(0.3);
    for (let i = 0; i < 1000; i++) await a.send('b', Uint8Array.of(i >> 8, i & 0xff));
    await tick();
    expect(got.length).toBeGreaterThan(600);
    expect(got.length).toBeLessThan(800);
    expect(got).toEqual([...got].sort((x, y) => x - y)); // losses, never reordering
    net.drop(0);
    got.length = 0;
    vi.useFakeTimers();
    net.delay(30);
    for (let i = 0; i < 5; i++) await a.send('b', Uint8Array.of(0, i));
    // the wall clock moves on while the timers' clock does not (a loaded machine, or an NTP step):
    // lowering the delay then must still not let a later message overtake earlier ones
    vi.setSystemTime(Date.now() + 15);
    net.delay(0);
    await a.send('b', Uint8Array.of(0, 5));
    await vi.advanceTimersByTimeAsync(29);
    expect(got).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('kill makes a node vanish; a new transport with its id replaces it', async () => {
    const net = memoryNetwork();
    const [a, b] = ['a', 'b'].map((id) => net.transport(id));
    await tick();
    const la = record(a);
    const lb = record(b);
    net.kill('b');
    await tick();
    expect(la).toEqual(['left b (b stopped responding)']);
    expect(lb).toEqual([]); // the dead node hears nothing
    await expect(b.send('a', msg(1))).rejects.toMatchObject({ code: 'not-connected' });
    const b2 = net.transport('b');
    await tick();
    expect(la.at(-1)).toBe('peer b');
    expect(b2.peers()).toEqual(['a']);
    const b3 = net.transport('b'); // reload while b2 is alive: exactly one b remains
    await tick();
    expect(la.slice(-2)).toEqual(['left b (b reconnected as a new session)', 'peer b']);
    expect(a.peers()).toEqual(['b']);
    expect(b3.peers()).toEqual(['a']);
  });
});
