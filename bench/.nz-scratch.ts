import { markNegativeZeros, PACK_OPTIONS } from '../packages/engine/src/msgpack.ts';
import { Packr } from 'msgpackr';
const rows: unknown[][] = [];
for (let i = 0; i < 1_000_000; i++) rows.push([i, 'name ' + i, i * 1.5, i % 7 === 0 ? null : 'x']);
const chunks = [] as unknown[];
for (let c = 0; c < rows.length; c += 2048) chunks.push({ ids: [], rows: rows.slice(c, c + 2048) });
const p = new Packr(PACK_OPTIONS);
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  for (const ch of chunks) markNegativeZeros(ch);
  const walk = performance.now() - t;
  t = performance.now();
  for (const ch of chunks) p.pack(ch, 512);
  console.log('walk', walk.toFixed(1), 'pack', (performance.now() - t).toFixed(1), 'ms');
}
