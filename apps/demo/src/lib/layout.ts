/**
 * Where the cluster picture puts its nodes: the first (the primary) alone on the top row, the
 * others below in rows of at most three, every row centred, boxes wide enough for their labels,
 * so 1–8 nodes never overlap. Pure, so a test can check every size.
 */
export const BOX = { w: 172, h: 40, gapX: 14, rowPitch: 66, margin: 10 };
const PER_ROW = 3;
/** Widths of one character in the picture's two label fonts (11px sans bold, 9px monospace), in px, rounded up. */
export const CHAR = { name: 7, sub: 5.6 };

export interface Placed {
  id: string;
  /** Centre of the box. */
  x: number;
  y: number;
}

export function layout(ids: readonly string[]): { boxes: Placed[]; width: number; height: number } {
  const rows: string[][] = ids.length ? [[ids[0]!]] : [];
  for (let i = 1; i < ids.length; i += PER_ROW) rows.push(ids.slice(i, i + PER_ROW) as string[]);
  const width = PER_ROW * BOX.w + (PER_ROW - 1) * BOX.gapX + 2 * BOX.margin;
  const height = Math.max(1, rows.length) * BOX.rowPitch + BOX.margin;
  const boxes = rows.flatMap((row, r) => {
    const span = row.length * BOX.w + (row.length - 1) * BOX.gapX;
    const left = (width - span) / 2;
    return row.map((id, i) => ({ id, x: left + i * (BOX.w + BOX.gapX) + BOX.w / 2, y: BOX.margin + r * BOX.rowPitch + BOX.h / 2 + 4 }));
  });
  return { boxes, width, height };
}

/** Where a line from box `a` towards box `b` leaves a's border. */
export function edge(a: Placed, b: Placed): { x: number; y: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.min(dx ? BOX.w / 2 / Math.abs(dx) : Infinity, dy ? BOX.h / 2 / Math.abs(dy) : Infinity);
  return { x: a.x + dx * t, y: a.y + dy * t };
}

/** A label's width when shortened to fit its box (SVG textLength), or undefined when it fits as is. */
export function fit(text: string, charPx: number): number | undefined {
  const room = BOX.w - 10;
  return text.length * charPx > room ? room : undefined;
}
