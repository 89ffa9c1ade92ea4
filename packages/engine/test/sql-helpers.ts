/** Shared setup for the SQL tests: a fresh in-memory node per test, and an error catcher. */
import { openNode, type Node } from '../src/index.ts';
import { SqlError } from '../src/errors.ts';

let counter = 0;

export async function freshNode(): Promise<Node> {
  counter++;
  return openNode({ cluster: `sql-test-${counter}`, nodeId: `n${counter}`, storage: 'memory', log: () => {} });
}

/** The SqlError a promise rejects with (fails the test when it resolves or throws something else). */
export async function sqlError(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an SqlError, but the statement succeeded');
}
