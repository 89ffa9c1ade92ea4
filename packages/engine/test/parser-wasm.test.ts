/**
 * Where the SQL parser's WebAssembly comes from: by default beside the engine's own module
 * (new URL('./libpg-query.wasm', import.meta.url), what bundlers emit), or `parserWasm`.
 * The parser loads once per realm, so this file's steps run in order in one process.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openNode } from '../src/index.ts';

const wasmFile = new URL('../src/sql/libpg-query.wasm', import.meta.url);

describe('the SQL parser\'s WebAssembly', () => {
  it('refuses a file that is not the parser\'s wasm with a message naming it, and can be loaded again afterwards', async () => {
    const notWasm = new URL(import.meta.url); // this test's own source text, as a dev server's fallback page would be
    await expect(openNode({ cluster: 'wasm', storage: 'memory', parserWasm: notWasm })).rejects.toThrow(
      `walrtc: ${notWasm.href} is not the SQL parser's WebAssembly (libpg-query.wasm); serve that file there or pass parserWasm`,
    );
    const module = await WebAssembly.compile(await readFile(wasmFile));
    const node = await openNode({ cluster: 'wasm', storage: 'memory', parserWasm: module });
    expect((await node.query('select 1 + 1 as two')).rows).toEqual([{ two: 2 }]);
    await expect(node.query('selec 1')).rejects.toMatchObject({ code: '42601', message: 'syntax error at or near "selec"', position: 1 });
    await node.close();
  });
});
