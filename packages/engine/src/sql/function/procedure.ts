/**
 * CALL p(…) of a LANGUAGE sql procedure. Its statements may write, so each is planned as a
 * statement of its own with the arguments as parameters: `$n` and a parameter's name (where no
 * table the statement names has a column of that name, PostgreSQL's precedence) become `$n`
 * cast to the parameter's type, and the values travel as their text.
 */
import type { CallStmt, Node } from '@pgsql/types';
import type { FunctionDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import { formatTypeName } from '../cast.ts';
import { RowScope } from '../from.ts';
import type { StatementPlan } from '../plan.ts';
import type { Scope } from '../scope.ts';
import { formatValue } from '../values.ts';
import { compileExpr } from '../expr.ts';
import { lastName } from '../names.ts';
import { compileCallArgs, resolveProcedureCall } from './call.ts';
import { functionCatalog, type FunctionCatalog } from './context.ts';
import { callSignature, inputParams } from './resolve.ts';

function tableColumns(node: unknown, state: DbState, out: Set<string>): Set<string> {
  if (Array.isArray(node)) { for (const n of node) tableColumns(n, state, out); return out; }
  if (!node || typeof node !== 'object') return out;
  if ('RangeVar' in node || 'relname' in node) {
    const rv = ('RangeVar' in node ? (node as { RangeVar: { relname?: string } }).RangeVar : node) as { relname?: string };
    const oid = rv.relname ? state.tableNames.get(rv.relname) : undefined;
    if (oid !== undefined) for (const c of state.table(oid).def.columns) out.add(c.name);
  }
  for (const v of Object.values(node)) tableColumns(v, state, out);
  return out;
}

function castParam(n: number, def: FunctionDef): Node {
  const p = inputParams(def)[n - 1]!;
  return { TypeCast: { arg: { ParamRef: { number: n } }, typeName: { names: [{ String: { sval: formatTypeName(p.type) } }], typemod: -1 } } } as Node;
}

function bindParams(node: unknown, def: FunctionDef, columns: ReadonlySet<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => bindParams(n, def, columns));
  if (!node || typeof node !== 'object') return node;
  const inputs = inputParams(def);
  if ('ParamRef' in node) {
    const n = (node as { ParamRef: { number?: number } }).ParamRef.number ?? 0;
    if (n < 1 || n > inputs.length) throw new SqlError('42P02', `there is no parameter $${n}`);
    return castParam(n, def);
  }
  if ('ColumnRef' in node) {
    const fields = ((node as { ColumnRef: { fields?: Node[] } }).ColumnRef.fields ?? []).map((f) => ('String' in f ? f.String.sval : undefined));
    const name = fields.length === 1 ? fields[0] : fields.length === 2 && fields[0] === def.name ? fields[1] : undefined;
    const i = name === undefined ? -1 : inputs.findIndex((p) => p.name === name);
    if (i >= 0 && (fields.length === 2 || !columns.has(name!))) return castParam(i + 1, def);
    return node;
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, bindParams(v, def, columns)]));
}

/** The procedure's statements, planned against the catalog as it is now. */
export function planProcedureBody(def: FunctionDef, catalog: FunctionCatalog): StatementPlan[] {
  return def.body.map((s) => catalog.planStatement(bindParams(s, def, tableColumns(s, catalog.state, new Set())) as Node));
}

export function planCall(stmt: CallStmt): StatementPlan {
  const catalog = functionCatalog()!;
  const scope: Scope = new RowScope([], 0, catalog.planner());
  const call = stmt.funccall!;
  const found = resolveProcedureCall(call, scope, compileExpr);
  if (!found) {
    const args = compileCallArgs(call, scope, compileExpr);
    throw new SqlError(SQLSTATE.undefined_function, `procedure ${callSignature(lastName(call.funcname), args)} does not exist`, {
      hint: 'No procedure matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const { def } = found;
  const plans = planProcedureBody(def, catalog);
  const inputs = inputParams(def);
  return {
    command: 'CALL',
    columns: [],
    writes: true,
    run(ctx) {
      const args = found.args(ctx);
      if (!(def.strict && args.some((v) => v === null))) {
        const params = args.map((v, i) => (v === null ? null : formatValue(v, inputs[i]!.type)));
        for (const plan of plans) plan.run({ ...ctx, params });
      }
      return { rows: [], rowCount: 0 };
    },
  };
}
