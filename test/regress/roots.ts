/**
 * The root statements of sql:regress's failure chains: one statement that fails on walrtc alone
 * often costs many after it — every statement of its aborted transaction block (25P02), every
 * use of the table, schema or object it should have created (42P01, 3F000), every CREATE of
 * the one it should have dropped (42P07). Each such failure is followed back to the statement
 * that started it (the chain's root: itself no chain failure), in the area or in the setup
 * files it ran after; `sql:regress --roots` ranks the roots by the statements they cost.
 */
import type { RegressJudged } from './replay.ts';

export interface Root {
  /** `area #index`, or `setup-file #index` for a root in the setup (shared by every area after it) */
  where: string;
  sql: string;
  error: string;
  /** the failing statements it is the root of, itself included; by area */
  cost: Map<string, number>;
}

const CHAIN = new Set(['25P02', '42P01', '3F000', '42P07']);

/** The object a chain failure's message names: `relation "x" does not exist` → x. */
function missingName(message: string): string | undefined {
  const m = /^(?:relation|table|view|sequence|index|schema) "([^"]+)" (?:does not exist|already exists)$/.exec(message);
  return m?.[1]?.split('.').at(-1);
}

function mentions(sql: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])"?${escaped}"?($|[^A-Za-z0-9_])`, 'i').test(sql);
}

const failed = (j: RegressJudged) => j.verdict !== 'matched' && !!j.walrtc.error;

/**
 * Follows every failing chain statement of one area (`judged`, in order, after `setup`, the
 * judged statements of its setup files in order) to its root.
 */
export function chainRoots(judged: readonly RegressJudged[], setup: readonly RegressJudged[]): Map<RegressJudged, RegressJudged> {
  const all = [...setup, ...judged];
  const memo = new Map<number, number>();
  const rootAt = (at: number): number => {
    const known = memo.get(at);
    if (known !== undefined) return known;
    memo.set(at, at); // a cycle ends at itself
    const j = all[at]!;
    const code = j.walrtc.error?.code ?? '';
    let cause: number | undefined;
    if (code === '25P02' && j.postgres.error?.code !== '25P02') {
      // the statement that aborted the block: the last error before it
      for (let k = at - 1; k >= setup.length && cause === undefined; k--) if (all[k]!.walrtc.error && all[k]!.walrtc.error!.code !== '25P02') cause = k;
    } else if (CHAIN.has(code)) {
      const name = missingName(j.walrtc.error!.message);
      for (let k = at - 1; name && k >= 0 && cause === undefined; k--) if (failed(all[k]!) && mentions(all[k]!.sql, name)) cause = k;
    }
    const root = cause === undefined ? at : rootAt(cause);
    memo.set(at, root);
    return root;
  };
  const out = new Map<RegressJudged, RegressJudged>();
  for (const [i, j] of judged.entries()) {
    if (!failed(j) || !CHAIN.has(j.walrtc.error!.code)) continue;
    out.set(j, all[rootAt(setup.length + i)]!);
  }
  return out;
}

export const rootCost = (r: Root): number => [...r.cost.values()].reduce((a, b) => a + b, 0);

/** Ranked roots over several areas: `setupOf(area)` gives the judged setup statements the area ran after. */
export function rankRoots(areas: readonly string[], judged: readonly RegressJudged[], setupOf: (area: string) => RegressJudged[]): Root[] {
  const roots = new Map<string, Root>();
  for (const area of areas) {
    const mine = judged.filter((j) => j.area === area);
    const counted = new Set<RegressJudged>();
    for (const [j, root] of chainRoots(mine, setupOf(area))) {
      const where = `${root.area} #${root.index}`;
      let r = roots.get(where);
      if (!r) roots.set(where, (r = { where, sql: root.sql, error: `${root.walrtc.error?.code ?? ''} ${root.walrtc.error?.message ?? '(a result)'}`, cost: new Map() }));
      const add = (x: RegressJudged) => {
        if (counted.has(x) || x.area !== area) return;
        counted.add(x);
        r!.cost.set(area, (r!.cost.get(area) ?? 0) + 1);
      };
      add(root);
      add(j);
    }
  }
  return [...roots.values()].sort((a, b) => rootCost(b) - rootCost(a));
}
