/**
 * @walrtc/engine/worker is what a page imports to run the engine in a worker: bundled for the
 * page, it must hold the comlink client and the session surface it shares with Node (session/:
 * query/exec/transaction/live shaping, PGlite's options) only, never the engine (the SQL parser,
 * value formatting, the WAL, …), which the worker loads itself.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('@walrtc/engine/worker, bundled for a page', () => {
  it('contains the comlink client and no engine module', async () => {
    const entry = new URL('../src/worker/index.ts', import.meta.url).pathname;
    const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs).map((p) => p.replace(/^.*?packages\/engine\/src\//, 'src/').replace(/^.*?node_modules\//, 'node_modules/'));
    expect(inputs.sort()).toEqual([
      'node_modules/comlink/dist/esm/comlink.mjs',
      'src/errors.ts',
      'src/live/schedule.ts',
      'src/session/client.ts',
      'src/session/live-diff.ts',
      'src/session/live.ts',
      'src/session/notifications.ts',
      'src/session/result.ts',
      'src/worker/client.ts',
      'src/worker/errors.ts',
      'src/worker/index.ts',
      'src/worker/transport-bridge.ts',
    ]);
  });
});
