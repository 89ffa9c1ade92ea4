/**
 * CREATE DOMAIN, ALTER DOMAIN (ADD/DROP CONSTRAINT, SET/DROP NOT NULL, SET/DROP DEFAULT) and
 * DROP DOMAIN, as WAL-logged catalog changes (create_domain, drop_domain). A constraint added
 * later is checked against the rows already stored in columns of the domain, as PostgreSQL does.
 */
import type { AlterDomainStmt, Constraint, CreateDomainStmt, DropStmt, Node, TypeName } from '@pgsql/types';
import type { DomainDef } from '../../catalog/types.ts';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import { checkAssignable, resolveTypeName } from '../cast.ts';
import { refuseTableRowType } from '../composite/type.ts';
import { checkNoSubquery } from '../ddl-checks.ts';
import type { WriteTxn } from '../env.ts';
import { compileExpr } from '../expr.ts';
import { RowScope } from '../from.ts';
import { functionCatalog } from '../function/context.ts';
import { strings } from '../names.ts';
import type { StatementPlan } from '../plan.ts';
import type { RunContext } from '../env.ts';
import type { Value } from '../types.ts';
import { compileDomainCheck, domainChecker } from './domain.ts';
import { checkStorableType } from './oid.ts';

const HINT_CASCADE = 'Use DROP ... CASCADE to drop the dependent objects too.';

function ddl(command: string, run: (txn: WriteTxn, ctx: RunContext) => void): StatementPlan {
  return { command, columns: [], writes: true, run: (ctx) => { run(ctx.env.txn!, ctx); return { rows: [], rowCount: 0 }; } };
}

function domainName(names: Node[] | undefined): string {
  const parts = strings(names);
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) throw new SqlError('3F000', `schema "${parts[parts.length - 2]}" does not exist`);
  return parts[parts.length - 1]!;
}

function findDomain(state: DbState, name: string): DomainDef | undefined {
  for (const d of state.domains.values()) if (d.name === name) return d;
  return undefined;
}

function mustFind(state: DbState, name: string): DomainDef {
  const d = findDomain(state, name);
  if (d) return d;
  if (state.typeNames.has(name)) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a domain`);
  throw new SqlError(SQLSTATE.undefined_object, `type "${name}" does not exist`);
}

/** The stored values of every column declared with the domain: [table, column, value]. */
function storedValues(state: DbState, d: DomainDef, each: (table: string, column: string, v: Value) => void): void {
  for (const t of state.tables.values()) {
    t.def.columns.forEach((c, i) => {
      if (c.domain !== d.oid) return;
      t.rows.forEachPair((_id, row) => each(t.def.name, c.name, row[i]));
    });
  }
}

function checkName(d: { name: string }, c: Constraint, taken: readonly string[]): string {
  if (c.conname) {
    if (taken.includes(c.conname)) throw new SqlError(SQLSTATE.duplicate_object, `constraint "${c.conname}" for domain "${d.name}" already exists`);
    return c.conname;
  }
  let name = `${d.name}_check`;
  for (let n = 1; taken.includes(name); n++) name = `${d.name}_check${n}`;
  return name;
}

export function planCreateDomain(stmt: CreateDomainStmt): StatementPlan {
  const name = domainName(stmt.domainname);
  const tn = stmt.typeName as TypeName;
  const { type: base, typmod, domain } = resolveTypeName(tn);
  refuseTableRowType('a domain', base);
  if (domain !== undefined) throw featureNotSupported('domains over domains');
  checkStorableType(name, base);
  if (stmt.collClause) throw featureNotSupported('COLLATE in CREATE DOMAIN');
  const def: DomainDef = { oid: 0, name, base, typmod, notNull: false, checks: [] };
  const planner = functionCatalog()!.planner();
  let nullSeen = false;
  for (const c of (stmt.constraints ?? []).map((n) => (n as { Constraint: Constraint }).Constraint)) {
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
      case 'CONSTR_NULL':
        if (nullSeen) throw new SqlError(SQLSTATE.syntax_error, 'conflicting NULL/NOT NULL constraints');
        nullSeen = true;
        def.notNull = c.contype === 'CONSTR_NOTNULL';
        break;
      case 'CONSTR_DEFAULT': {
        if (def.default) throw new SqlError(SQLSTATE.syntax_error, 'multiple default expressions');
        checkNoSubquery(c.raw_expr!, 'DEFAULT expression');
        const compiled = compileExpr(c.raw_expr!, new RowScope([], 0, planner));
        checkAssignable(compiled.type, base, name);
        def.default = c.raw_expr!;
        break;
      }
      case 'CONSTR_CHECK': {
        if (c.is_no_inherit) throw new SqlError('42P17', 'check constraints for domains cannot be marked NO INHERIT');
        checkNoSubquery(c.raw_expr!, 'check constraint');
        compileDomainCheck(def, c.raw_expr!, planner);
        def.checks.push({ name: checkName(def, c, def.checks.map((x) => x.name)), expr: c.raw_expr! });
        break;
      }
      default:
        throw featureNotSupported(`${(c.contype ?? '').replace('CONSTR_', '')} constraints on domains`);
    }
  }
  return ddl('CREATE DOMAIN', (txn) => {
    const s = txn.state;
    if (s.typeNames.has(name) || s.tableNames.has(name) || findDomain(s, name)) throw new SqlError('42710', `type "${name}" already exists`);
    txn.write({ kind: 'create_domain', domain: { ...def, oid: s.allocateOid() } });
  });
}

export function planAlterDomain(stmt: AlterDomainStmt): StatementPlan {
  const name = domainName(stmt.typeName);
  const catalog = functionCatalog()!;
  const current = findDomain(catalog.state, name);
  const planner = catalog.planner();
  return ddl('ALTER DOMAIN', (txn, ctx) => {
    const d = mustFind(txn.state, name);
    const write = (next: DomainDef) => txn.write({ kind: 'create_domain', domain: next });
    switch (stmt.subtype) {
      case 'C': {
        const c = (stmt.def as { Constraint: Constraint }).Constraint;
        if (c.contype !== 'CONSTR_CHECK') throw featureNotSupported(`ALTER DOMAIN ADD ${(c.contype ?? '').replace('CONSTR_', '')}`);
        checkNoSubquery(c.raw_expr!, 'check constraint');
        const check = { name: checkName(d, c, d.checks.map((x) => x.name)), expr: c.raw_expr! };
        if (!c.skip_validation) {
          const compiled = compileDomainCheck(current ?? d, c.raw_expr!, planner);
          storedValues(txn.state, d, (table, column, v) => {
            if (v !== null && compiled.eval([v], ctx) === false) {
              throw new SqlError(SQLSTATE.check_violation, `column "${column}" of table "${table}" contains values that violate the new constraint`);
            }
          });
        }
        write({ ...d, checks: [...d.checks, check] });
        return;
      }
      case 'X': {
        if (!d.checks.some((c) => c.name === stmt.name)) {
          if (stmt.missing_ok) return;
          throw new SqlError(SQLSTATE.undefined_object, `constraint "${stmt.name}" of domain "${name}" does not exist`);
        }
        write({ ...d, checks: d.checks.filter((c) => c.name !== stmt.name) });
        return;
      }
      case 'O':
        storedValues(txn.state, d, (table, column, v) => {
          if (v === null) throw new SqlError(SQLSTATE.not_null_violation, `column "${column}" of table "${table}" contains null values`);
        });
        write({ ...d, notNull: true });
        return;
      case 'N':
        write({ ...d, notNull: false });
        return;
      case 'T': {
        // a column declared with the domain holds a copy of its DEFAULT (types/domain.ts)
        const used = [...txn.state.tables.values()].some((t) => t.def.columns.some((c) => c.domain === d.oid));
        if (used) throw featureNotSupported('ALTER DOMAIN … SET/DROP DEFAULT of a domain that columns use');
        const next: DomainDef = { ...d };
        if (stmt.def) next.default = stmt.def;
        else delete next.default;
        write(next);
        return;
      }
      case 'V':
        domainChecker(d, planner);
        return;
      default:
        throw featureNotSupported('this form of ALTER DOMAIN');
    }
  });
}

export function planDropDomain(stmt: DropStmt): StatementPlan {
  const names = (stmt.objects ?? []).map((o) => domainName('TypeName' in o ? o.TypeName.names : 'List' in o ? o.List.items : [o]));
  return ddl('DROP DOMAIN', (txn) => {
    for (const name of names) {
      const d = findDomain(txn.state, name);
      if (!d) {
        if (stmt.missing_ok) continue;
        mustFind(txn.state, name);
      }
      for (const t of txn.state.tables.values()) {
        const col = t.def.columns.find((c) => c.domain === d!.oid);
        if (!col) continue;
        if (stmt.behavior === 'DROP_CASCADE') throw featureNotSupported('DROP DOMAIN … CASCADE of a domain that columns use');
        throw new SqlError('2BP01', `cannot drop type ${name} because other objects depend on it`, {
          detail: `column ${col.name} of table ${t.def.name} depends on type ${name}`, hint: HINT_CASCADE,
        });
      }
      txn.write({ kind: 'drop_domain', domain: d!.oid });
    }
  });
}
