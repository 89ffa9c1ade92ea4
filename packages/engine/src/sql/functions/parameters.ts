/**
 * set_config(name, value, is_local) and current_setting(name [, missing_ok]): the session's
 * run-time parameters as functions (session/settings.ts holds them). Never folded: they read
 * and change session state, so each call runs when its row is evaluated.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { Compiled } from '../scope.ts';
import type { RunContext } from '../env.ts';
import { TYPE_NAME } from '../types.ts';

const TEXTUAL = new Set(['text', 'unknown', 'varchar', 'name', 'bpchar']);

function noFunction(name: string, args: Compiled[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function parameters(ctx: RunContext) {
  const p = ctx.env.parameters;
  if (!p) throw new SqlError(SQLSTATE.feature_not_supported, 'run-time parameters are not available here');
  return p;
}

export function parameterFunction(name: 'set_config' | 'current_setting', args: Compiled[]): Compiled {
  const isBool = (a: Compiled | undefined) => a !== undefined && (a.type === 'bool' || a.type === 'unknown');
  if (name === 'current_setting') {
    if (args.length < 1 || args.length > 2 || !TEXTUAL.has(args[0]!.type) || (args.length === 2 && !isBool(args[1]))) throw noFunction(name, args);
    return {
      type: 'text',
      eval: (row, c) => {
        const ctx = c as RunContext;
        const n = text(args[0]!.eval(row, ctx));
        const missingOk = args[1] ? args[1].eval(row, ctx) : false;
        // current_setting is strict: a NULL argument gives NULL
        if (n === null || missingOk === null || missingOk === undefined) return null;
        return parameters(ctx).current(n, missingOk === true || missingOk === 't' || missingOk === 'true');
      },
    };
  }
  if (args.length !== 3 || !TEXTUAL.has(args[0]!.type) || !TEXTUAL.has(args[1]!.type) || !isBool(args[2])) throw noFunction(name, args);
  return {
    type: 'text',
    eval: (row, c) => {
      const ctx = c as RunContext;
      const n = text(args[0]!.eval(row, ctx));
      if (n === null) throw new SqlError('22004', 'SET requires parameter name');
      const local = args[2]!.eval(row, ctx);
      return parameters(ctx).set(n, text(args[1]!.eval(row, ctx)), local === true || local === 't' || local === 'true');
    },
  };
}
