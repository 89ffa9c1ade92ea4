/**
 * The order in which PostgreSQL stacks the WindowAgg nodes of one SELECT, which decides the rows'
 * order each window's sort starts from (every window sorts the rows the one below it returns) and
 * so the order of peers. Follows PostgreSQL 15: parse_clause.c numbers sort expressions
 * (tleSortGroupRef) as ORDER BY, GROUP BY, DISTINCT and then each window's ORDER BY and PARTITION
 * BY first use them; planner.c's select_active_windows sorts the windows by common_prefix_cmp
 * (higher numbers first, a window whose sort is a prefix of another's after it).
 */
import type { Node, SelectStmt, SortBy, WindowDef } from '@pgsql/types';
import { sameExpr } from '../names.ts';
import { pgQsort } from '../sort/pg-qsort.ts';

/** One sort column of a window (a SortGroupClause): its expression's number, direction and NULLS placement. */
export interface SortItem {
  ref: number;
  desc: boolean;
  nullsFirst: boolean;
  /** Its position among the window's PARTITION BY then ORDER BY keys. */
  col: number;
}

/** Numbers sort expressions in the order PostgreSQL's parser assigns tleSortGroupRef. */
export class SortRefs {
  private readonly exprs: Node[] = [];

  /** The query's own ORDER BY, GROUP BY and DISTINCT, which take their numbers before any window. */
  constructor(stmt: SelectStmt, targets: readonly { node: Node; name: string }[]) {
    // ORDER BY and GROUP BY may name an output column or its position (SQL92)
    const output = (n: Node): Node => {
      if ('A_Const' in n && n.A_Const.ival !== undefined) return targets[(n.A_Const.ival.ival ?? 0) - 1]?.node ?? n;
      const fields = 'ColumnRef' in n ? n.ColumnRef.fields ?? [] : [];
      if (fields.length === 1 && 'String' in fields[0]!) return targets.find((t) => t.name === (fields[0] as { String: { sval: string } }).String.sval)?.node ?? n;
      return n;
    };
    for (const s of stmt.sortClause ?? []) this.ref(output((s as { SortBy: SortBy }).SortBy.node!));
    for (const g of stmt.groupClause ?? []) this.ref(output(g));
    if (stmt.distinctClause) {
      for (const d of stmt.distinctClause) if (Object.keys(d).length) this.ref(d);
      for (const t of targets) this.ref(t.node);
    }
  }

  ref(node: Node): number {
    const i = this.exprs.findIndex((e) => sameExpr(e, node));
    if (i >= 0) return i + 1;
    this.exprs.push(node);
    return this.exprs.length;
  }

  /**
   * A window's sort columns as PostgreSQL's planner sees them: PARTITION BY then ORDER BY, without
   * repeats (numbered ORDER BY first, as transformWindowDefinitions does).
   */
  items(def: WindowDef, order: readonly { desc: boolean; nullsFirst: boolean }[]): SortItem[] {
    const np = def.partitionClause?.length ?? 0;
    const byOrder = (def.orderClause ?? []).map((n, i) => ({ ref: this.ref((n as { SortBy: SortBy }).SortBy.node!), desc: order[i]!.desc, nullsFirst: order[i]!.nullsFirst, col: np + i }));
    const byPartition = (def.partitionClause ?? []).map((n, col) => {
      const ref = this.ref(n);
      // a PARTITION BY column also in ORDER BY takes its direction from there
      const same = byOrder.find((o) => o.ref === ref);
      return { ref, desc: same?.desc ?? false, nullsFirst: same?.nullsFirst ?? false, col };
    });
    const out: SortItem[] = [];
    for (const it of [...byPartition, ...byOrder]) if (!out.some((o) => o.ref === it.ref && o.desc === it.desc && o.nullsFirst === it.nullsFirst)) out.push(it);
    return out;
  }
}

/** planner.c's common_prefix_cmp; a descending column's operator (`>`) has the higher OID of its type's pair. */
function commonPrefixCmp(a: readonly SortItem[], b: readonly SortItem[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.ref !== y.ref) return x.ref > y.ref ? -1 : 1;
    if (x.desc !== y.desc) return x.desc ? -1 : 1;
    if (x.nullsFirst !== y.nullsFirst) return x.nullsFirst ? -1 : 1;
  }
  return b.length - a.length;
}

/** The windows (given in winref order) in the order their WindowAgg nodes run, the lowest first. */
export function windowRunOrder(items: readonly (readonly SortItem[])[]): number[] {
  const order = items.map((_v, i) => i);
  pgQsort(order, (a, b) => commonPrefixCmp(items[a]!, items[b]!));
  return order;
}

const sameItem = (a: SortItem, b: SortItem): boolean => a.ref === b.ref && a.desc === b.desc && a.nullsFirst === b.nullsFirst;

/**
 * How many leading sort columns of `next` rows sorted by `prev` already are in (pathkeys_count_contained_in):
 * all of them, and PostgreSQL does not sort; some, and it runs an Incremental Sort; none, a Sort.
 */
export function presorted(prev: readonly SortItem[] | undefined, next: readonly SortItem[]): number {
  let n = 0;
  while (prev && n < next.length && n < prev.length && sameItem(prev[n]!, next[n]!)) n++;
  return n;
}
