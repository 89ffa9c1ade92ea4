/** Shared by the benchmarks: percentiles, LSN arithmetic, verbose logging and bounded waits. */

/** The p-th percentile (nearest rank) of xs. */
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export const median = (xs: number[]): number => pct(xs, 50);

/** `0/16B3748` → a number, to compare LSNs. */
export const lsnNumber = (text: string): number => {
  const [hi, lo] = text.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
};

/** Timestamped progress on stderr when VERBOSE is set. */
export const log = (m: string): void => {
  if (process.env.VERBOSE) console.error(`${performance.now().toFixed(1)} ${m}`);
};

/** Run `fn`, failing after `ms`: every wait of a benchmark is bounded. */
export async function bounded<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
