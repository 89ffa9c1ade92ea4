/**
 * The per-area table `npm run sql:compat` and `npm run sql:regress` print: per area how many
 * statements matched, were refused with 0A000, failed otherwise, were WRONG, differ after a
 * divergence, or are EXPLAINs showing another plan (classify.ts), plain or as the README's markdown.
 */
import { VERDICTS, type Verdict } from './classify.ts';

export interface Counted {
  area: string;
  verdict: Verdict;
}

type Row = { area: string; total: number } & Record<Verdict, number>;

function count(area: string, judged: readonly Counted[]): Row {
  return { area, total: judged.length, ...Object.fromEntries(VERDICTS.map((v) => [v, judged.filter((j) => j.verdict === v).length])) } as Row;
}

/** The table's lines; `extra` adds columns of its own per area (sql:regress' psql meta-commands). */
export function verdictTable(areas: readonly string[], judged: readonly Counted[], markdown: boolean, extra?: { name: string; value: (area: string | undefined) => number }): string[] {
  const rows = [...areas.map((a) => count(a, judged.filter((j) => j.area === a))), count('total', judged)];
  const extraOf = (r: Row) => (extra ? [extra.value(r.area === 'total' ? undefined : r.area)] : []);
  if (markdown) {
    const out = [`| area | statements | matched | refused (0A000) | other error | WRONG | differs after divergence | EXPLAIN differs |${extra ? ` ${extra.name} |` : ''}`, `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${extra ? ' ---: |' : ''}`];
    for (const r of rows) out.push(`| ${r.area === 'total' ? '**total**' : r.area} | ${[r.total, ...VERDICTS.map((v) => r[v]), ...extraOf(r)].join(' | ')} |`);
    return out;
  }
  const out = [['area'.padEnd(18), 'total', 'matched', 'refused', 'error', 'WRONG', 'diverged', 'plan', ...(extra ? [extra.name] : [])].join('\t')];
  for (const r of rows) out.push([r.area.padEnd(18), r.total, ...VERDICTS.map((v) => r[v]), ...extraOf(r)].join('\t'));
  const total = rows[rows.length - 1]!;
  const pct = (n: number) => `${Math.round((100 * n) / Math.max(total.total, 1))} %`;
  out.push(`matched ${pct(total.matched)}, refused ${pct(total.refused)}, other errors ${pct(total.error)}, WRONG ${total.WRONG}, differing after a divergence ${total.diverged}, EXPLAIN with another plan ${total.plan}`);
  return out;
}
