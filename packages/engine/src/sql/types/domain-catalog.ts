/**
 * The domains of the catalog being planned: planning is synchronous, so the executor (and DDL as
 * it runs) sets them for the length of one statement, as types/enum.ts does for enum types. Kept
 * apart from types/domain.ts so type-name resolution (cast.ts) needs nothing of the compiler.
 */
import type { DomainDef, Oid } from '../../catalog/types.ts';

let planning: ReadonlyMap<Oid, DomainDef> | undefined;

export function withDomains<T>(domains: ReadonlyMap<Oid, DomainDef>, plan: () => T): T {
  const saved = planning;
  planning = domains;
  try {
    return plan();
  } finally {
    planning = saved;
  }
}

/** The domain named `name` in the catalog being planned against, if there is one. */
export function lookupDomain(name: string): DomainDef | undefined {
  for (const d of planning?.values() ?? []) if (d.name === name) return d;
  return undefined;
}

export function allDomains(): Iterable<DomainDef> {
  return planning?.values() ?? [];
}

export function domainByOid(oid: Oid): DomainDef | undefined {
  return planning?.get(oid);
}
