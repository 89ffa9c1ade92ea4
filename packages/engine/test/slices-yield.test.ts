// The checkpoint's and base backup's yields in a browser (no setImmediate): one MessageChannel for
// all of them. A channel per yield left a MessagePort pair per yield in Chromium's Blink heap
// until the next full GC (bench/README.md, "Fifth round").
import { afterEach, describe, expect, it, vi } from 'vitest';

async function browserLike(): Promise<{ yieldToEventLoop: () => Promise<void>; channels: () => number }> {
  let made = 0;
  const Real = globalThis.MessageChannel;
  class Counted extends Real {
    constructor() {
      super();
      made++;
    }
  }
  vi.stubGlobal('setImmediate', undefined);
  vi.stubGlobal('MessageChannel', Counted);
  vi.resetModules();
  const { yieldToEventLoop } = await import('../src/checkpoint/slices.ts');
  return { yieldToEventLoop, channels: () => made };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('yieldToEventLoop without setImmediate (a browser)', () => {
  it('yields through one channel however many times it is called', async () => {
    const { yieldToEventLoop, channels } = await browserLike();
    for (let i = 0; i < 200; i++) await yieldToEventLoop();
    await Promise.all(Array.from({ length: 50 }, () => yieldToEventLoop()));
    expect(channels()).toBe(1);
  });

  it('resolves concurrent yields in the order they were asked for, each after a macrotask', async () => {
    const { yieldToEventLoop } = await browserLike();
    const order: string[] = [];
    const yields = [0, 1, 2, 3].map((i) => yieldToEventLoop().then(() => void order.push(`yield ${i}`)));
    // microtasks alone do not resolve them: each waits for a task of its own
    await Promise.resolve();
    expect(order).toEqual([]);
    await Promise.all(yields);
    expect(order).toEqual(['yield 0', 'yield 1', 'yield 2', 'yield 3']);
  });
});

describe('yieldToEventLoop where the platform has task priorities (Chromium: scheduler.postTask)', () => {
  it("resumes each slice in a task of 'background' priority, in the order the yields were asked for", async () => {
    const asked: string[] = [];
    vi.stubGlobal('setImmediate', undefined);
    vi.stubGlobal('scheduler', {
      postTask(callback: () => void, options: { priority: string }) {
        asked.push(options.priority);
        return new Promise((resolve) => void setTimeout(() => resolve(callback()), 0));
      },
    });
    vi.resetModules();
    const { yieldToEventLoop } = await import('../src/checkpoint/slices.ts');
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => yieldToEventLoop().then(() => void order.push(i))));
    expect(asked).toEqual(['background', 'background', 'background']);
    expect(order).toEqual([0, 1, 2]);
  });

  it('resumes a slice that no background task reaches after STARVED_MS, as a timer task, and drops the timer when one does', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('setImmediate', undefined);
    // a thread never idle: the background tasks are asked for, but none runs until the test says so
    const starved: (() => void)[] = [];
    vi.stubGlobal('scheduler', {
      postTask(callback: () => void) {
        starved.push(callback);
        return new Promise(() => {});
      },
    });
    vi.resetModules();
    try {
      const { yieldToEventLoop, STARVED_MS } = await import('../src/checkpoint/slices.ts');
      let resumed = false;
      const slice = yieldToEventLoop().then(() => void (resumed = true));
      await vi.advanceTimersByTimeAsync(STARVED_MS - 1);
      expect(resumed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await slice;
      expect(resumed).toBe(true);
      starved.shift();

      // a background task that runs in time: the slice resumes in it, and no timer is left behind
      let second = false;
      const next = yieldToEventLoop().then(() => void (second = true));
      expect(vi.getTimerCount()).toBe(1);
      starved.shift()!();
      await next;
      expect(second).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
