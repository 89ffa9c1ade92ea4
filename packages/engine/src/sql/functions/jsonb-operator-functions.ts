/**
 * The functions behind jsonb's operators, callable by name as in PostgreSQL: jsonb_contains (@>),
 * jsonb_contained (<@), jsonb_exists (?), jsonb_exists_any (?|), jsonb_exists_all (?&) and
 * jsonb_delete (-). Their first argument is jsonb (an untyped literal becomes one, as function
 * resolution makes it); the operator's own code does the rest.
 */
import { retype, type Expr } from '../compiled.ts';
import { compileJsonbOperator } from './json.ts';

const OPERATOR: Record<string, string> = {
  jsonb_contains: '@>', jsonb_contained: '<@', jsonb_exists: '?', jsonb_exists_any: '?|', jsonb_exists_all: '?&', jsonb_delete: '-',
};

/** undefined when `name` is not one of them or the arguments cannot be theirs (then: function does not exist). */
export function compileJsonbOperatorFunction(name: string, args: Expr[]): Expr | undefined {
  const op = OPERATOR[name];
  if (!op || args.length !== 2) return undefined;
  const [a, b] = args as [Expr, Expr];
  if (a.type !== 'jsonb' && a.type !== 'unknown') return undefined;
  const right = op === '@>' || op === '<@' ? (b.type === 'unknown' || b.type === 'jsonb' ? retype(b, 'jsonb') : undefined) : b;
  return right && compileJsonbOperator(op, retype(a, 'jsonb'), right);
}
