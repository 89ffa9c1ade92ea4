/**
 * EXPLAIN: the tree of plan nodes a SELECT runs (Seq Scan, Index Scan, Hash Join, Sort, Limit, …),
 * each counting the rows it produced so EXPLAIN ANALYZE can print them, rendered in PostgreSQL's
 * shape as one text column "QUERY PLAN" (as EXPLAIN (COSTS OFF) prints it; ANALYZE adds
 * `(actual rows=N loops=L)` like TIMING OFF, or `(never executed)`; plan/explain-count.ts counts).
 */
import type { Node } from '@pgsql/types';
import { strings } from '../names.ts';

export interface PlanNode {
  /** The node's first line without its arrow: `Index Scan using t_pkey on t`. */
  label: string;
  details: string[];
  children: PlanNode[];
  /** Filled while running: rows produced over all loops, and how many times the node ran. */
  rows: number;
  loops: number;
  /** Rows its Filter line removed over all loops (EXPLAIN ANALYZE's `Rows Removed by Filter`). */
  removed: number;
}

export function planNode(label: string, children: PlanNode[] = [], details: string[] = []): PlanNode {
  return { label, details, children, rows: 0, loops: 0, removed: 0 };
}

/** The plan as PostgreSQL prints it, one line per row of the result. */
export function renderPlan(root: PlanNode, analyze: boolean): string[] {
  const lines: string[] = [];
  const walk = (n: PlanNode, depth: number): void => {
    const pad = depth === 0 ? '' : ' '.repeat(depth * 6 - 6) + '  ->  ';
    // a node that never ran (the inner side of an empty outer, an empty hash's outer) says so, as PostgreSQL's does
    const actual = !analyze ? '' : n.loops ? ` (actual rows=${perLoop(n.rows, n.loops)} loops=${n.loops})` : ' (never executed)';
    lines.push(`${pad}${n.label}${actual}`);
    const detailPad = ' '.repeat(depth * 6 + 2);
    let shown = false;
    for (const d of n.details) {
      lines.push(`${detailPad}${d}`);
      // PostgreSQL's show_instrumentation_count: per loop, below the Filter, only when some were removed
      if (analyze && !shown && d.startsWith('Filter: ') && n.removed > 0 && n.loops) lines.push(`${detailPad}Rows Removed by Filter: ${perLoop(n.removed, n.loops)}`);
      if (d.startsWith('Filter: ')) shown = true;
    }
    for (const c of n.children) walk(c, depth + 1);
  };
  walk(root, 0);
  return lines;
}

/** A count per loop as PostgreSQL prints it (`%.0f`: a half rounds to even). */
function perLoop(total: number, loops: number): number {
  const x = total / loops, r = Math.round(x);
  return x - Math.floor(x) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** An expression as EXPLAIN shows it: `(id > $1)`, `((n >= 1) AND (n <= 5))`, `(s ~~ 'ab%'::text)`. */
export function deparse(node: Node | undefined): string {
  if (!node) return '';
  if ('ColumnRef' in node) return (node.ColumnRef.fields ?? []).map((f) => ('String' in f ? f.String.sval : '*')).join('.');
  if ('ParamRef' in node) return `$${node.ParamRef.number}`;
  if ('A_Const' in node) {
    const c = node.A_Const;
    if (c.isnull) return 'NULL';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? '0';
    if (c.boolval) return String(c.boolval.boolval ?? false);
    if (c.sval) return `'${(c.sval.sval ?? '').replace(/'/g, "''")}'::text`;
    return 'NULL';
  }
  if ('TypeCast' in node) return `${deparse(node.TypeCast.arg)}::${strings(node.TypeCast.typeName?.names).filter((n) => n !== 'pg_catalog').join('.')}`;
  if ('NullTest' in node) return `(${deparse(node.NullTest.arg)} ${node.NullTest.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
  if ('BoolExpr' in node) {
    const args = (node.BoolExpr.args ?? []).map(deparse);
    if (node.BoolExpr.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
    return `(${args.join(node.BoolExpr.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
  }
  if ('FuncCall' in node) {
    const f = node.FuncCall;
    return `${strings(f.funcname).join('.')}(${f.agg_star ? '*' : (f.args ?? []).map(deparse).join(', ')})`;
  }
  if ('A_Expr' in node) {
    const e = node.A_Expr;
    const op = strings(e.name).pop() ?? '';
    const items = e.rexpr && 'List' in e.rexpr ? (e.rexpr.List.items ?? []).map(deparse) : [];
    switch (e.kind) {
      case 'AEXPR_IN': return `(${deparse(e.lexpr)} ${op === '=' ? '= ANY' : '<> ALL'} ('{${items.join(',')}}'))`;
      case 'AEXPR_BETWEEN': return `((${deparse(e.lexpr)} >= ${items[0]}) AND (${deparse(e.lexpr)} <= ${items[1]}))`;
      case 'AEXPR_LIKE': return `(${deparse(e.lexpr)} ${op} ${deparse(e.rexpr)})`;
      case 'AEXPR_ILIKE': return `(${deparse(e.lexpr)} ${op} ${deparse(e.rexpr)})`;
      default: return e.lexpr ? `(${deparse(e.lexpr)} ${op} ${deparse(e.rexpr)})` : `(${op} ${deparse(e.rexpr)})`;
    }
  }
  if ('SubLink' in node) return '(SubPlan)';
  return `(${Object.keys(node)[0]})`;
}

/** Several conditions as one EXPLAIN line: `(a = 1)` or `((a = 1) AND (b > 2))`. */
export function deparseAll(nodes: readonly Node[]): string {
  if (nodes.length === 1) return deparse(nodes[0]);
  return `(${nodes.map(deparse).join(' AND ')})`;
}
