/**
 * CREATE [OR REPLACE] FUNCTION/PROCEDURE … LANGUAGE sql and DROP FUNCTION/PROCEDURE/ROUTINE, as
 * WAL-logged catalog changes (create_function, drop_function). The body is parsed and planned
 * when the function is created, so a body that cannot run is refused then, as PostgreSQL's
 * validator does; other languages are refused by name.
 */
import { withEnumTypes } from '../types/enum.ts';
import type { CreateFunctionStmt, DefElem, DropStmt, FunctionParameter, Node, ObjectWithArgs, TypeName } from '@pgsql/types';
import type { FunctionDef, FunctionParam } from '../../catalog/types.ts';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import { resolveTypeName } from '../cast.ts';
import type { WriteTxn } from '../env.ts';
import { strings } from '../names.ts';
import { parse } from '../parse.ts';
import type { StatementPlan } from '../plan.ts';
import { TYPE_NAME, type SqlType } from '../types.ts';
import { isArrayType } from '../types/array.ts';
import { planBody } from './body.ts';
import { functionCatalog, functionsNamed } from './context.ts';
import { inputParams } from './resolve.ts';
import { isBuiltinFunction } from '../functions.ts';
import { AGGREGATES } from '../expr.ts';
import { WINDOW_FUNCTIONS } from '../window/functions.ts';
import { SET_RETURNING } from '../functions/srf.ts';

const MODES: Record<string, FunctionParam['mode'] | 't'> = {
  FUNC_PARAM_DEFAULT: 'i', FUNC_PARAM_IN: 'i', FUNC_PARAM_OUT: 'o', FUNC_PARAM_INOUT: 'b', FUNC_PARAM_VARIADIC: 'v', FUNC_PARAM_TABLE: 't',
};

function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return { command, columns: [], writes: true, run: (ctx) => { run(ctx.env.txn!); return { rows: [], rowCount: 0 }; } };
}

function invalid(message: string): SqlError {
  return new SqlError('42P13', message);
}

/** The routine's own name: `public.f` and `f` are the same; any other schema does not exist. */
function routineName(names: Node[] | undefined): string {
  const parts = strings(names);
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) {
    const schema = parts[parts.length - 2]!;
    if (functionCatalog()?.state.schemas.has(schema) || schema === 'pg_catalog') throw featureNotSupported(`SQL functions outside schema public (${schema})`);
    throw new SqlError('3F000', `schema "${schema}" does not exist`);
  }
  return parts[parts.length - 1]!;
}

/** Pseudo-types PostgreSQL accepts in signatures that walrtc has no values for. */
const PSEUDO_TYPES = new Set([
  'anyelement', 'anyarray', 'anynonarray', 'anyenum', 'anyrange', 'anymultirange', 'anycompatible', 'anycompatiblearray',
  'anycompatiblenonarray', 'anycompatiblerange', 'anycompatiblemultirange', 'internal', 'cstring', 'language_handler',
  'fdw_handler', 'table_am_handler', 'index_am_handler', 'tsm_handler', 'event_trigger', 'any',
]);

function typeOf(tn: TypeName): SqlType {
  if (tn.pct_type) throw featureNotSupported('%TYPE in a function signature');
  const last = strings(tn.names).pop()?.toLowerCase() ?? '';
  if (PSEUDO_TYPES.has(last)) throw featureNotSupported(`type ${last} in a function signature`);
  const catalog = functionCatalog();
  if (catalog && strings(tn.names).length === 1 && catalog.state.tableNames.has(last) && !catalog.state.typeNames.has(last)) {
    throw featureNotSupported(`the row type of table ${last} in a function signature`);
  }
  const { type, domain } = resolveTypeName(tn);
  // an argument would have to pass the domain's constraints at each call
  if (domain !== undefined) throw featureNotSupported('domain types in a function signature');
  return type;
}

function option(options: readonly Node[] | undefined, name: string): DefElem | undefined {
  return (options ?? []).map((o) => (o as { DefElem: DefElem }).DefElem).find((d) => d.defname === name);
}

function bodyOf(stmt: CreateFunctionStmt): Node[] {
  if (stmt.sql_body) {
    const outer = 'List' in stmt.sql_body ? stmt.sql_body.List.items ?? [] : [stmt.sql_body];
    const inner = outer[0] && 'List' in outer[0] ? outer[0].List.items ?? [] : outer;
    return inner.map((s) => ('ReturnStmt' in s ? { SelectStmt: { targetList: [{ ResTarget: { val: s.ReturnStmt.returnval } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } } as Node : s));
  }
  const as = option(stmt.options, 'as');
  const items = as?.arg && 'List' in as.arg ? strings(as.arg.List.items) : [];
  if (!as) throw invalid('no function body specified');
  if (items.length !== 1) throw invalid('only one AS item needed for language "sql"');
  return parse(items[0]!).map((p) => p.stmt);
}

function checkOptions(stmt: CreateFunctionStmt): { strict: boolean; volatility: FunctionDef['volatility'] } {
  let strict = false, volatility: FunctionDef['volatility'] = 'v';
  for (const o of stmt.options ?? []) {
    const d = (o as { DefElem: DefElem }).DefElem;
    switch (d.defname) {
      case 'language': case 'as': case 'cost': case 'rows': case 'parallel': case 'leakproof': case 'security':
        break;
      case 'strict':
        strict = !!(d.arg && 'Boolean' in d.arg && d.arg.Boolean.boolval);
        break;
      case 'volatility': {
        const v = d.arg && 'String' in d.arg ? d.arg.String.sval : 'volatile';
        volatility = v === 'immutable' ? 'i' : v === 'stable' ? 's' : 'v';
        break;
      }
      default:
        throw featureNotSupported(`the ${(d.defname ?? "").toUpperCase()} option of CREATE FUNCTION`);
    }
  }
  return { strict, volatility };
}

function checkLanguage(stmt: CreateFunctionStmt): void {
  const lang = option(stmt.options, 'language');
  const name = lang?.arg && 'String' in lang.arg ? lang.arg.String.sval!.toLowerCase() : stmt.sql_body ? 'sql' : undefined;
  if (name === undefined) throw invalid('no language specified');
  if (name === 'sql') return;
  if (['plpgsql', 'c', 'internal'].includes(name)) throw featureNotSupported(`LANGUAGE ${name}`);
  throw new SqlError(SQLSTATE.undefined_object, `language "${name}" does not exist`);
}

function parameters(stmt: CreateFunctionStmt): { params: FunctionParam[]; table: { name: string; type: SqlType }[] } {
  const params: FunctionParam[] = [];
  const table: { name: string; type: SqlType }[] = [];
  const seen = new Set<string>();
  let defaults = false;
  for (const n of stmt.parameters ?? []) {
    const p = (n as { FunctionParameter: FunctionParameter }).FunctionParameter;
    const mode = MODES[p.mode ?? 'FUNC_PARAM_DEFAULT'] ?? 'i';
    const type = typeOf(p.argType!);
    if (p.name !== undefined) {
      if (seen.has(p.name)) throw invalid(`parameter name "${p.name}" used more than once`);
      seen.add(p.name);
    }
    if (mode === 't') {
      table.push({ name: p.name ?? 'column', type });
      continue;
    }
    if (mode !== 'o' && params.some((q) => q.mode === 'v')) throw invalid('VARIADIC parameter must be the last input parameter');
    if (mode === 'v' && !isArrayType(type)) throw invalid('VARIADIC parameter must be an array');
    if (p.defexpr) {
      if (mode === 'o') throw invalid('only input parameters can have default values');
      defaults = true;
    } else if (defaults && mode !== 'o') {
      throw invalid('input parameters after one with a default value must also have defaults');
    }
    params.push({ ...(p.name !== undefined ? { name: p.name } : {}), type, mode, ...(p.defexpr ? { default: p.defexpr } : {}) });
  }
  return { params, table };
}

/** The definition CREATE FUNCTION describes (oid 0 until it is written). */
function definition(stmt: CreateFunctionStmt): FunctionDef {
  checkLanguage(stmt);
  const name = routineName(stmt.funcname);
  const kind = stmt.is_procedure ? 'p' : 'f';
  const { params, table } = parameters(stmt);
  const outs = params.filter((p) => p.mode === 'o' || p.mode === 'b').map((p, i) => ({ name: p.name ?? `column${i + 1}`, type: p.type }));
  const { strict, volatility } = checkOptions(stmt);
  if (kind === 'p') {
    if (stmt.returnType) throw invalid('procedure cannot have a return type');
    if (outs.length) throw featureNotSupported('OUT and INOUT parameters of procedures');
    return { oid: 0, name, kind, params, returns: 'void', setof: false, body: bodyOf(stmt), strict, volatility };
  }
  const rt = stmt.returnType;
  let returns: FunctionDef['returns'];
  let columns: FunctionDef['columns'];
  if (table.length) {
    returns = 'record';
    columns = table;
  } else if (rt && strings(rt.names).pop()?.toLowerCase() === 'void' && !rt.arrayBounds?.length) {
    returns = 'void';
  } else if (rt && strings(rt.names).pop()?.toLowerCase() === 'trigger') {
    throw featureNotSupported('trigger functions');
  } else if (outs.length) {
    const declared = rt && strings(rt.names).pop()?.toLowerCase();
    returns = outs.length === 1 ? outs[0]!.type : 'record';
    if (declared && declared !== 'record' && (outs.length > 1 || typeOf(rt!) !== returns)) {
      throw invalid(`function result type must be ${outs.length > 1 ? 'record' : TYPE_NAME[returns as SqlType]} because of OUT parameters`);
    }
    columns = outs;
  } else if (rt) {
    if (strings(rt.names).pop()?.toLowerCase() === 'record') throw featureNotSupported('SQL functions returning record without OUT parameters');
    returns = typeOf(rt);
  } else {
    throw invalid('function result type must be specified');
  }
  return { oid: 0, name, kind, params, returns, setof: !!rt?.setof, ...(columns ? { columns } : {}), body: bodyOf(stmt), strict, volatility };
}

const sameInputs = (a: FunctionDef, b: FunctionDef): boolean => {
  const x = inputParams(a).map((p) => p.type), y = inputParams(b).map((p) => p.type);
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

export function signature(def: FunctionDef): string {
  return `${def.name}(${inputParams(def).map((p) => TYPE_NAME[p.type]).join(', ')})`;
}

/**
 * PostgreSQL weighs pg_catalog's overloads and the user's together; walrtc looks a SQL function up
 * before its built-ins, so one named like a built-in would shadow it: refused instead.
 */
function refuseBuiltinName(name: string): void {
  if (isBuiltinFunction(name) || AGGREGATES.has(name) || WINDOW_FUNCTIONS.has(name) || SET_RETURNING.has(name) || name.startsWith('json') || name.startsWith('pg_') || ['nextval', 'currval', 'setval', 'lastval', 'make_interval'].includes(name)) {
    throw featureNotSupported(`a SQL function named like the built-in function ${name}`);
  }
}

export function planCreateFunction(stmt: CreateFunctionStmt): StatementPlan {
  const def = definition(stmt);
  refuseBuiltinName(def.name);
  const catalog = functionCatalog();
  // validate the body now, as PostgreSQL does: unknown tables, columns and result mismatches fail the CREATE
  if (catalog && def.kind === 'f') planBody(def, catalog);
  const what = def.kind === 'f' ? 'function' : 'procedure';
  return ddl(stmt.is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION', (txn) => {
    const existing = [...functionsNamed(txn.state, def.name, 'f'), ...functionsNamed(txn.state, def.name, 'p')].find((f) => sameInputs(f, def));
    if (!existing) {
      txn.write({ kind: 'create_function', function: { ...def, oid: txn.state.allocateOid() } });
      return;
    }
    if (!stmt.replace) throw new SqlError('42723', `${what} "${def.name}" already exists with same argument types`);
    if (existing.kind !== def.kind) throw new SqlError(SQLSTATE.wrong_object_type, `cannot change routine kind`, { detail: `"${def.name}" is a ${existing.kind === 'f' ? 'function' : 'procedure'}.` });
    const sameResult = existing.returns === def.returns && existing.setof === def.setof && JSON.stringify(existing.columns) === JSON.stringify(def.columns);
    if (!sameResult) {
      throw new SqlError('42P13', 'cannot change return type of existing function', { hint: `Use DROP FUNCTION ${signature(existing)} first.` });
    }
    txn.write({ kind: 'create_function', function: { ...def, oid: existing.oid } });
  });
}

export function dropTarget(state: DbState, o: ObjectWithArgs, kinds: readonly ('f' | 'p')[], what: string, missingOk: boolean): FunctionDef | undefined {
  const parts = strings(o.objname);
  // another schema holds no SQL functions (CREATE refuses them there)
  if (parts.length === 2 && parts[0] !== 'public' && state.schemas.has(parts[0]!)) {
    if (missingOk) return undefined;
    const args = (o.objargs ?? []).map((n) => TYPE_NAME[typeOf((n as { TypeName: TypeName }).TypeName)]);
    throw new SqlError(SQLSTATE.undefined_function, `${what} ${parts.join('.')}(${args.join(', ')}) does not exist`);
  }
  const name = routineName(o.objname);
  const all = kinds.flatMap((k) => functionsNamed(state, name, k));
  if (o.args_unspecified) {
    if (all.length > 1) throw new SqlError('42725', `${what} name "${name}" is not unique`, { hint: `Specify the argument list to select the ${what} unambiguously.` });
    if (!all.length && !missingOk) throw new SqlError(SQLSTATE.undefined_function, `could not find a ${what} named "${name}"`);
    return all[0];
  }
  const args = (o.objfuncargs ?? []).map((n) => (n as { FunctionParameter: FunctionParameter }).FunctionParameter)
    .filter((p) => p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
    .map((p) => typeOf(p.argType!));
  const matches = (f: FunctionDef): boolean => {
    const ins = inputParams(f).map((p) => p.type);
    return ins.length === args.length && ins.every((t, i) => t === args[i]);
  };
  const found = all.find(matches);
  const other = !found && functionsNamed(state, name, kinds.includes('f') ? 'p' : 'f').find(matches);
  if (other && kinds.length === 1) throw new SqlError(SQLSTATE.wrong_object_type, `${name}(${args.map((t) => TYPE_NAME[t]).join(', ')}) is not a ${what}`);
  if (!found && !missingOk) throw new SqlError(SQLSTATE.undefined_function, `${what} ${name}(${args.map((t) => TYPE_NAME[t]).join(', ')}) does not exist`);
  return found;
}

export function planDropFunction(stmt: DropStmt): StatementPlan {
  const kinds: ('f' | 'p')[] = stmt.removeType === 'OBJECT_FUNCTION' ? ['f'] : stmt.removeType === 'OBJECT_PROCEDURE' ? ['p'] : ['f', 'p'];
  const what = stmt.removeType === 'OBJECT_FUNCTION' ? 'function' : stmt.removeType === 'OBJECT_PROCEDURE' ? 'procedure' : 'routine';
  const command = `DROP ${what.toUpperCase()}`;
  const objects = (stmt.objects ?? []).map((n) => (n as { ObjectWithArgs: ObjectWithArgs }).ObjectWithArgs);
  return ddl(command, (txn) => {
    for (const o of objects) {
      // argument types name the transaction's user types (enums, composites) as it runs
      const def = withEnumTypes(txn.state.types, txn.state.typeNames, () => dropTarget(txn.state, o, kinds, what, !!stmt.missing_ok));
      if (def) txn.write({ kind: 'drop_function', function: def.oid });
    }
  });
}
