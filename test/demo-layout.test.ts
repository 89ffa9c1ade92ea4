/** The demo's cluster picture lays out 1–8 nodes without overlap, labels inside their boxes. */
import { describe, expect, it } from 'vitest';
import { BOX, CHAR, edge, fit, layout } from '../apps/demo/src/lib/layout.ts';

describe('the demo\'s cluster picture', () => {
  for (let n = 1; n <= 8; n++) {
    it(`places ${n} node${n > 1 ? 's' : ''} inside the picture, no two boxes overlapping`, () => {
      const ids = Array.from({ length: n }, (_, i) => `tab-${i}`);
      const { boxes, width, height } = layout(ids);
      expect(boxes.map((b) => b.id)).toEqual(ids);
      for (const b of boxes) {
        expect(b.x - BOX.w / 2).toBeGreaterThanOrEqual(0);
        expect(b.x + BOX.w / 2).toBeLessThanOrEqual(width);
        expect(b.y - BOX.h / 2).toBeGreaterThanOrEqual(0);
        expect(b.y + BOX.h / 2).toBeLessThanOrEqual(height);
      }
      for (const a of boxes) {
        for (const b of boxes) {
          if (a === b) continue;
          const apart = Math.abs(a.x - b.x) >= BOX.w + BOX.gapX || Math.abs(a.y - b.y) >= BOX.h + 10;
          expect(apart, `${a.id} and ${b.id}`).toBe(true);
        }
      }
    });
  }

  it('fits the longest labels in their boxes: shortened only past the box width', () => {
    expect(fit('tab-2bc990 (you)', CHAR.name)).toBeUndefined();
    expect(fit('standby · tl 12 · 0/3000148', CHAR.sub)).toBeUndefined();
    expect(fit('a-node-id-someone-chose-that-is-very-long', CHAR.name)).toBe(BOX.w - 10);
  });

  it('starts an arrow on the border of its box', () => {
    const { boxes } = layout(['p', 's1', 's2', 's3']);
    const from = edge(boxes[0]!, boxes[1]!);
    expect(Math.abs(from.y - boxes[0]!.y)).toBeCloseTo(BOX.h / 2);
  });
});
