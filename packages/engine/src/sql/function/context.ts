/**
 * The SQL functions visible while a statement is planned: planning is synchronous, so the
 * executor sets the state being planned (and a way to make a SELECT planner over it) for the
 * length of the planning, as types/enum.ts does for enum types.
 */
import type { FunctionDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { Node } from '@pgsql/types';
import type { StatementPlan } from '../plan.ts';
import type { SelectPlanner } from '../select.ts';

export interface FunctionCatalog {
  state: DbState;
  planner(): SelectPlanner;
  /** Plan a statement of a procedure's body against this state. */
  planStatement(stmt: Node): StatementPlan;
}

let current: FunctionCatalog | undefined;

export function withFunctionCatalog<T>(catalog: FunctionCatalog, plan: () => T): T {
  const saved = current;
  current = catalog;
  try {
    return plan();
  } finally {
    current = saved;
  }
}

export function functionCatalog(): FunctionCatalog | undefined {
  return current;
}

/** The functions (kind 'f') or procedures ('p') named `name`, in oid order. */
export function functionsNamed(state: DbState, name: string, kind: 'f' | 'p'): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const f of state.functions.values()) if (f.name === name && f.kind === kind) out.push(f);
  return out.sort((a, b) => a.oid - b.oid);
}
