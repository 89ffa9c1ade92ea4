/**
 * Which SQL function a call names: its candidates are the overloads of that name; arguments are
 * matched by position, then by name (`a => 1`), missing ones filled from DEFAULTs, extra ones
 * gathered into a VARIADIC array. The most exact match wins; PostgreSQL's 42883 when none fits
 * and 42725 when several fit equally well.
 */
import type { FunctionDef, FunctionParam } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { implicit } from '../functions.ts';
import { isTextType } from '../cast.ts';
import { TYPE_NAME, type SqlType } from '../types.ts';
import { elementType, isArrayType } from '../types/array.ts';

export interface CallArg {
  expr: Expr;
  /** `name => value` */
  name?: string;
}

/** One input parameter's argument: an expression, the parameter's DEFAULT, or VARIADIC's gathered arguments. */
type Slot = { kind: 'arg'; expr: Expr } | { kind: 'default' } | { kind: 'gather'; exprs: Expr[] };

export interface Match {
  def: FunctionDef;
  /** One per input parameter, in order: converted to the parameter's type, or its DEFAULT (undefined). */
  args: (Expr | undefined)[];
}

export const inputParams = (def: FunctionDef): FunctionParam[] => def.params.filter((p) => p.mode !== 'o');

/** How well `from` fits `to`: undefined when it cannot be converted implicitly. */
function fit(from: SqlType, to: SqlType): number | undefined {
  if (from === to) return 2;
  if (!implicit(from, to)) return undefined;
  return from === 'unknown' && isTextType(to) ? 1 : 0;
}

function slots(def: FunctionDef, args: readonly CallArg[], variadicCall: boolean): Slot[] | undefined {
  const inputs = inputParams(def);
  const out: (Slot | undefined)[] = new Array(inputs.length);
  const positional = args.filter((a) => a.name === undefined);
  const last = inputs.length - 1;
  const gathers = !variadicCall && inputs[last]?.mode === 'v';
  if (variadicCall && inputs[last]?.mode !== 'v') return undefined;
  for (let i = 0; i < positional.length; i++) {
    if (gathers && i >= last) {
      const g = out[last] as { kind: 'gather'; exprs: Expr[] } | undefined;
      if (g) g.exprs.push(positional[i]!.expr);
      else out[last] = { kind: 'gather', exprs: [positional[i]!.expr] };
    } else if (i < inputs.length) {
      out[i] = { kind: 'arg', expr: positional[i]!.expr };
    } else {
      return undefined;
    }
  }
  for (const a of args) {
    if (a.name === undefined) continue;
    const i = inputs.findIndex((p) => p.name === a.name);
    if (i < 0 || out[i]) return undefined;
    out[i] = { kind: 'arg', expr: a.expr };
  }
  for (let i = 0; i < inputs.length; i++) {
    if (out[i]) continue;
    if (!inputs[i]!.default) return undefined;
    out[i] = { kind: 'default' };
  }
  return out as Slot[];
}

function score(def: FunctionDef, s: readonly Slot[]): number | undefined {
  const inputs = inputParams(def);
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const slot = s[i]!, type = inputs[i]!.type;
    if (slot.kind === 'default') continue;
    const exprs = slot.kind === 'arg' ? [slot.expr] : slot.exprs;
    const target = slot.kind === 'gather' && isArrayType(type) ? elementType(type) : type;
    for (const e of exprs) {
      const f = fit(e.type, target);
      if (f === undefined) return undefined;
      total += f;
    }
  }
  return total;
}

function build(def: FunctionDef, s: readonly Slot[]): Match {
  const inputs = inputParams(def);
  const args = s.map((slot, i): Expr | undefined => {
    const type = inputs[i]!.type;
    if (slot.kind === 'default') return undefined;
    if (slot.kind === 'arg') return retype(slot.expr, type);
    const elem = isArrayType(type) ? elementType(type) : type;
    const evals = slot.exprs.map((e) => retype(e, elem).eval);
    return expr(type, (row, ctx) => evals.map((e) => e(row, ctx)));
  });
  return { def, args };
}

export function callSignature(name: string, args: readonly CallArg[]): string {
  return `${name}(${args.map((a) => `${a.name !== undefined ? `${a.name} => ` : ''}${TYPE_NAME[a.expr.type]}`).join(', ')})`;
}

/** The overload of `candidates` that `args` call; `what` is "function" or "procedure" for the errors. */
export function resolveCall(candidates: readonly FunctionDef[], name: string, args: readonly CallArg[], variadicCall: boolean, what: 'function' | 'procedure'): Match {
  let best: { def: FunctionDef; slots: Slot[]; score: number }[] = [];
  for (const def of candidates) {
    const s = slots(def, args, variadicCall);
    const sc = s && score(def, s);
    if (s === undefined || sc === undefined) continue;
    if (!best.length || sc > best[0]!.score) best = [{ def, slots: s, score: sc }];
    else if (sc === best[0]!.score) best.push({ def, slots: s, score: sc });
  }
  if (!best.length) {
    throw new SqlError(SQLSTATE.undefined_function, `${what} ${callSignature(name, args)} does not exist`, {
      hint: `No ${what} matches the given name and argument types. You might need to add explicit type casts.`,
    });
  }
  if (best.length > 1) {
    throw new SqlError('42725', `${what} ${callSignature(name, args)} is not unique`, {
      hint: `Could not choose a best candidate ${what}. You might need to add explicit type casts.`,
    });
  }
  return build(best[0]!.def, best[0]!.slots);
}
