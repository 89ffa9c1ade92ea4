/** The logical replication statements, for the executor's dispatch: publications and subscriptions. */
import type { Node } from '@pgsql/types';
import type { StatementPlan } from '../sql/plan.ts';
import { planAlterPublication, planCreatePublication, planDropPublication } from './publication.ts';
import { planAlterSubscription, planCreateSubscription, planDropSubscription } from './subscription.ts';

export function planLogical(stmt: Node): StatementPlan | undefined {
  if ('CreatePublicationStmt' in stmt) return planCreatePublication(stmt.CreatePublicationStmt);
  if ('AlterPublicationStmt' in stmt) return planAlterPublication(stmt.AlterPublicationStmt);
  if ('DropStmt' in stmt && stmt.DropStmt.removeType === 'OBJECT_PUBLICATION') {
    const names = (stmt.DropStmt.objects ?? []).map((o) => ('String' in o ? o.String.sval! : ''));
    return planDropPublication(names, stmt.DropStmt.missing_ok === true);
  }
  if ('CreateSubscriptionStmt' in stmt) return planCreateSubscription(stmt.CreateSubscriptionStmt);
  if ('AlterSubscriptionStmt' in stmt) return planAlterSubscription(stmt.AlterSubscriptionStmt);
  if ('DropSubscriptionStmt' in stmt) return planDropSubscription(stmt.DropSubscriptionStmt);
  return undefined;
}
