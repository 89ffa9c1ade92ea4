/**
 * bit_and, bit_or and bit_xor over int2/int4/int8: the bitwise fold of the non-NULL values, NULL
 * for none, of the argument's type (PostgreSQL's int2and/int4or/int8xor … transition functions).
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { Aggregate } from '../aggregates.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';

const OPS: Record<string, (a: bigint, b: bigint) => bigint> = {
  bit_and: (a, b) => a & b,
  bit_or: (a, b) => a | b,
  bit_xor: (a, b) => a ^ b,
};

export const BITWISE = new Set(Object.keys(OPS));

/** int8 in its canonical form: a number when safe, a bigint beyond. */
const int8 = (v: bigint): Value => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

export function bitwiseAggregate(name: string, argType: SqlType | undefined): Aggregate | undefined {
  const op = OPS[name];
  if (!op) return undefined;
  const t = argType === 'unknown' ? undefined : argType;
  if (t !== 'int2' && t !== 'int4' && t !== 'int8') {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${argType ? TYPE_NAME[argType] : ''}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const agg: Aggregate<{ acc: bigint | null }> = {
    type: t,
    init: () => ({ acc: null }),
    step: (s, v) => {
      if (v === null) return s;
      const x = BigInt(v as number | bigint);
      s.acc = s.acc === null ? x : op(s.acc, x);
      return s;
    },
    final: (s) => (s.acc === null ? null : t === 'int8' ? int8(s.acc) : Number(s.acc)),
  };
  return agg as unknown as Aggregate;
}
