/**
 * A checkpoint packs every chunk at the same place of msgpackr's buffer (checkpoint/writer.ts,
 * RESET_BUFFER_MODE) and copies it out when sealing. Packing each chunk after the last made msgpackr
 * allocate a new buffer, a few times a chunk's size, for nearly every chunk of a full checkpoint: external memory as
 * large as the sealed chunks themselves, which started collections while commits waited (the 47 ms
 * commit gap of a 1M-row checkpoint in Node, bench/README.md seventh round). msgpackr allocates its
 * buffers in Node with Buffer.allocUnsafeSlow, so they are counted there.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openNode } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';

afterEach(() => vi.restoreAllMocks());

describe('checkpoint chunks packed in one reused buffer', () => {
  it('a full checkpoint of ~6 MB of chunks allocates no pack buffer per chunk, and reopens to the same content', async () => {
    const storage = memoryStorage({ deferChunks: false });
    const node = await openNode({ cluster: `pack-${process.pid}`, nodeId: 'n1', storage, log: () => {}, maxWalSize: 1 << 30 });
    await node.exec('create table t(id int primary key, v text, n int)');
    await node.query(`insert into t select g, 'row ' || g || ' ' || repeat('x', 30), g % 1000 from generate_series(1, 100000) g`);
    const allocate = vi.spyOn(Buffer, 'allocUnsafeSlow');
    await node.checkpoint();
    const buffers = allocate.mock.calls.length;
    allocate.mockRestore();
    // at most a growth or two to a chunk's size, if no pack before needed one as large; before: a new buffer for nearly every one of its 49 chunks
    expect(buffers).toBeLessThanOrEqual(2);
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster: `pack-${process.pid}`, nodeId: 'n1', storage, log: () => {} });
    expect(await reopened.contentHash()).toBe(hash);
    await reopened.close();
  });
});
