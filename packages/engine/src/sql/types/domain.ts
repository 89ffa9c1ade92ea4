/**
 * Domains (CREATE DOMAIN): a value of a domain is a value of its base type — its type OID on the
 * wire is the base type's, as PostgreSQL reports it — that must pass the domain's NOT NULL and
 * CHECK constraints wherever it becomes the domain: stored in a column declared with it, or cast
 * to it (`x::d`). The domains of the catalog being planned are set by the executor for the
 * length of one statement, as enum types are (types/enum.ts).
 */
import type { Node } from '@pgsql/types';
import type { ColumnDef, DomainDef, Oid, TableDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { compileExpr } from '../expr.ts';
import { RowScope, type SubqueryPlanner } from '../from.ts';
import type { Compiled, EvalContext } from '../scope.ts';
import { TYPE_NAME, type Value } from '../types.ts';
import { allDomains, domainByOid } from './domain-catalog.ts';
import { resolveTypeName } from '../cast.ts';
import { expr, type Expr } from '../compiled.ts';
import { functionCatalog } from '../function/context.ts';

/** A domain CHECK expression over VALUE, compiled against a row holding just the value. */
export function compileDomainCheck(def: DomainDef, check: Node, planner: SubqueryPlanner): Compiled {
  const scope = new RowScope([{ alias: def.name, columns: [{ name: 'value', type: def.base }], offset: 0 }], 1, planner);
  scope.clause = 'check constraints';
  return compileExpr(check, scope);
}

export type DomainCheck = (v: Value, ctx: EvalContext) => void;

/** Throws PostgreSQL's 23502 / 23514 when `v` is not a value of the domain. */
export function domainChecker(def: DomainDef, planner: SubqueryPlanner): DomainCheck {
  const checks = def.checks.map((c) => ({ name: c.name, expr: compileDomainCheck(def, c.expr, planner) }));
  const row: Value[] = [null];
  return (v, ctx) => {
    if (v === null || v === undefined) {
      if (def.notNull) throw new SqlError(SQLSTATE.not_null_violation, `domain ${def.name} does not allow null values`);
      return;
    }
    for (const c of checks) {
      row[0] = v;
      if (c.expr.eval(row, ctx) === false) throw new SqlError(SQLSTATE.check_violation, `value for domain ${def.name} violates check constraint "${c.name}"`);
    }
  };
}

/** What a column declared with domain `oid` carries: the domain, and its DEFAULT unless the column has its own (set later). */
export function domainColumn(oid: Oid | undefined): Partial<ColumnDef> {
  if (oid === undefined) return {};
  const d = domainByOid(oid)!;
  return { domain: oid, ...(d.default ? { default: d.default } : {}) };
}

/** The checks of a table's columns declared with a domain: [column index, check]. */
export function domainColumns(def: TableDef, planner: SubqueryPlanner): [number, DomainCheck][] {
  const out: [number, DomainCheck][] = [];
  def.columns.forEach((c, i) => {
    if (c.domain === undefined) return;
    const d = domainByOid(c.domain);
    if (!d) throw new SqlError(SQLSTATE.feature_not_supported, `writing column "${c.name}" of a domain type here is not supported`);
    out.push([i, domainChecker(d, planner)]);
  });
  return out;
}

/** ADD COLUMN of a domain type over existing rows: the value they get must be one of the domain. */
export function checkDomainValue(oid: Oid, v: Value, planner: SubqueryPlanner, ctx: EvalContext): void {
  domainChecker(domainByOid(oid)!, planner)(v, ctx);
}

/** `e::d`: the cast's result, checked against the domain (`e` itself when the cast is to no domain). */
export function domainCast(e: Expr, domain: Oid | undefined): Expr {
  if (domain === undefined) return e;
  const def = domainByOid(domain);
  const planner = functionCatalog()?.planner();
  if (!def || !planner) throw new SqlError(SQLSTATE.feature_not_supported, 'a cast to a domain here is not supported');
  const check = domainChecker(def, planner);
  const inner = e.eval;
  return expr(e.type, (row, ctx) => { const v = inner(row, ctx); check(v, ctx); return v; });
}

/**
 * pg_typeof's answer for `e` (compiled from `node`): a cast to a domain names the domain. A plain column whose base type some
 * domain has may be of that domain, which the compiled column does not record: refused rather
 * than answered with the base type.
 */
export function typeofName(e: Expr, node: Node | undefined): string {
  if (node && 'TypeCast' in node) {
    const domain = domainByOid(resolveTypeName(node.TypeCast.typeName!).domain ?? -1);
    if (domain) return domain.name;
  }
  if (e.slot !== undefined && [...allDomains()].some((d) => d.base === e.type)) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'pg_typeof of a column while a domain over its type exists is not supported');
  }
  return e.rowType?.name ?? TYPE_NAME[e.type];
}
