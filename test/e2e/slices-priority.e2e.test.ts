/**
 * In Chromium, in a page and in a dedicated worker, a checkpoint's or base backup's slice resumes
 * after the tasks of normal priority that were queued meanwhile (a commit's IndexedDB events, a
 * comlink call), not in turn with them: a yield asked for BEFORE a normal task is queued still runs
 * after it. With the yield as a message to itself (the code before) the order was the reverse, and
 * each step of a commit during a 1M-row base backup queued behind slices (bench/README.md, "Ninth round").
 * Yet a thread that never goes idle does not hold a slice back for ever: it resumes after
 * STARVED_MS as a timer task. A background task alone (the round's first version) waited until
 * the busy thread stopped.
 */
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireChromium } from '../../scripts/chromium.ts';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** slices.ts bundled as a classic script that defines `self.slices`, and the scenarios run with it. */
async function script(): Promise<string> {
  const entry = new URL('../../packages/engine/src/checkpoint/slices.ts', import.meta.url).pathname;
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', globalName: 'slices', logLevel: 'silent' });
  const scenario = async () => {
    const { yieldToEventLoop } = (self as unknown as { slices: { yieldToEventLoop: () => Promise<void> } }).slices;
    const order: string[] = [];
    const normal = new MessageChannel();
    const done = new Promise<void>((resolve) => {
      normal.port1.onmessage = (e: MessageEvent<string>) => {
        order.push(e.data);
        if (e.data === 'normal 3') resolve();
      };
    });
    // the slice asks to resume first; a commit's three normal-priority steps are queued after it
    const slice = yieldToEventLoop().then(() => void order.push('slice'));
    for (const n of [1, 2, 3]) normal.port2.postMessage(`normal ${n}`);
    await Promise.all([slice, done]);
    const priorities = typeof (self as { scheduler?: { postTask?: unknown } }).scheduler?.postTask === 'function';

    // a thread that never goes idle: normal tasks, each busy for 2 ms and queueing the next, until
    // the slice resumes or 2,000 of them (4 s) have run; a background task alone waits them all out
    let ticks = 0;
    let resumedAt: number | undefined;
    const busy = new MessageChannel();
    const busyEnd = new Promise<void>((resolve) => {
      busy.port1.onmessage = () => {
        const until = performance.now() + 2;
        while (performance.now() < until);
        if (++ticks < 2000 && resumedAt === undefined) busy.port2.postMessage(null);
        else resolve();
      };
    });
    busy.port2.postMessage(null);
    const starved = yieldToEventLoop().then(() => void (resumedAt = ticks));
    await Promise.all([starved, busyEnd]);
    return { order, priorities, resumedWhileBusy: resumedAt! < 2000 };
  };
  return `${out.outputFiles[0]!.text}\nself.runScenario = ${scenario.toString()};`;
}

describe('slices in Chromium', () => {
  it('resume after normal tasks queued meanwhile, yet while a thread that never goes idle is still busy, in the page and in a worker', async () => {
    const executablePath = requireChromium();
    const code = await script();
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath, args: FLAGS });
      const page = await (await browser.newContext()).newPage();
      await page.goto('about:blank');
      await page.addScriptTag({ content: code });
      const inPage = await page.evaluate(() => (self as unknown as { runScenario: () => Promise<unknown> }).runScenario());
      const inWorker = await page.evaluate(async (source) => {
        const url = URL.createObjectURL(new Blob([`${source}\nself.onmessage = async () => self.postMessage(await self.runScenario());`], { type: 'text/javascript' }));
        const worker = new Worker(url);
        try {
          return await new Promise((resolve, reject) => {
            worker.onmessage = (e) => resolve(e.data);
            worker.onerror = (e) => reject(new Error(e.message));
            worker.postMessage(null);
          });
        } finally {
          worker.terminate();
          URL.revokeObjectURL(url);
        }
      }, code);
      const expected = { order: ['normal 1', 'normal 2', 'normal 3', 'slice'], priorities: true, resumedWhileBusy: true };
      expect(inPage).toEqual(expected);
      expect(inWorker).toEqual(expected);
    } finally {
      await browser?.close();
    }
  });
});
