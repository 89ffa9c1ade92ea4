/**
 * Schema resolution: before a statement is planned, every relation, index, sequence and enum type
 * it names is rewritten to its catalog key (sql/schema/keys.ts) — `app.t` and, with
 * `search_path = app, public`, a bare `t` that exists in app both become the key `app.t` — so the
 * planners look names up in DbState's maps exactly as they did when public was the only schema.
 * Names this pass leaves alone (public, pg_catalog, information_schema, a schema that does not
 * exist, a WITH query's name) keep the planners' own handling and errors.
 */
import type { Node, RangeVar } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import { pos } from '../from.ts';
import { INVALID_SCHEMA_NAME, isTempSchema, relationKey, splitKey, SYSTEM_SCHEMAS } from './keys.ts';

type Obj = Record<string, unknown>;

import { effectivePath } from './keys.ts';

export { effectivePath };

/** `stmt` with its names resolved; the same node when nothing can resolve differently from public-only (no copy). */
export function resolveSchemas(stmt: Node, state: DbState, path: readonly string[]): Node {
  const lookup = effectivePath(state, path);
  if (state.schemas.size === 0 && lookup.length === 1 && lookup[0] === 'public' && !path.some(isTempSchema)) return stmt;
  const copy = structuredClone(stmt);
  new Resolver(state, path, lookup, cteNames(copy)).statement(copy as unknown as Obj);
  return copy;
}

function cteNames(stmt: Node): Set<string> {
  const out = new Set<string>();
  JSON.stringify(stmt, (key, value: unknown) => {
    if (key === 'CommonTableExpr') out.add((value as { ctename?: string }).ctename ?? '');
    return value;
  });
  return out;
}

function sval(n: unknown): string {
  return ((n as { String?: { sval?: string } }).String?.sval) ?? '';
}

class Resolver {
  /** Creation targets, resolved already (a later look-up must not find an older relation of the name). */
  private readonly done = new WeakSet<RangeVar>();
  /** The relation the statement creates: its name as written and its key. */
  private created?: { name: string; key: string };
  constructor(
    private readonly state: DbState,
    private readonly path: readonly string[],
    private readonly lookup: readonly string[],
    private readonly ctes: ReadonlySet<string>,
  ) {}

  statement(stmt: Obj): void {
    const [kind, body] = Object.entries(stmt)[0] as [string, Obj];
    // publications and subscriptions name public tables only (logical/): left as written
    if (/Publication|Subscription/.test(kind)) return;
    // CREATE SCHEMA's elements are resolved one by one as they run, in the new schema (elements.ts)
    if (kind === 'CreateSchemaStmt') return;
    switch (kind) {
      case 'CreateStmt': this.create(body.relation as RangeVar); break;
      case 'ViewStmt': this.create(body.view as RangeVar); break;
      case 'CreateSeqStmt': this.create(body.sequence as RangeVar); break;
      case 'AlterSeqStmt': this.read(body.sequence as RangeVar); break;
      case 'CreateTableAsStmt': this.create((body.into as { rel: RangeVar }).rel); break;
      case 'CreateEnumStmt': body.typeName = this.createType(body.typeName as Node[]); break;
      case 'CompositeTypeStmt': {
        const rv = body.typevar as RangeVar;
        const [key] = this.createType([...(rv.schemaname ? [rv.schemaname] : []), rv.relname!].map((sval) => ({ String: { sval } })));
        body.typevar = { relname: sval(key!) };
        this.walk(body.coldeflist);
        return;
      }
      case 'AlterEnumStmt': body.typeName = this.nameList(body.typeName as Node[], 'type'); break;
      case 'IndexStmt': {
        const schema = this.read(body.relation as RangeVar);
        if (schema && body.idxname) body.idxname = relationKey(schema, body.idxname as string);
        break;
      }
      case 'RenameStmt': {
        const schema = body.relation ? this.read(body.relation as RangeVar) : undefined;
        const relational = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_SEQUENCE', 'OBJECT_INDEX'].includes(body.renameType as string);
        if (schema && relational) body.newname = relationKey(schema, body.newname as string);
        break;
      }
      case 'DropStmt': {
        if (['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_SEQUENCE', 'OBJECT_INDEX'].includes(body.removeType as string)) {
          body.objects = (body.objects as Node[]).map((o) => ('List' in o ? { List: { items: this.nameList(o.List.items ?? [], 'relation') } } : o));
          return;
        }
        break;
      }
      case 'SelectStmt':
        if (body.intoClause) this.create((body.intoClause as { rel: RangeVar }).rel);
        break;
    }
    this.walk(body);
  }

  private walk(node: unknown): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Obj)) {
      if (key === 'RangeVar') this.read(value as RangeVar);
      else if (key === 'TypeName' || (key === 'typeName' && !Array.isArray(value))) {
        const t = value as { names?: Node[] };
        if (t.names) t.names = this.nameList(t.names, 'type');
      } else if (key === 'LockingClause') continue; // FOR UPDATE OF names FROM items, not relations
      else if (key === 'DefElem') this.sequenceOption(value as Obj);
      else if (key === 'FuncCall') {
        this.sequenceArgument(value as Obj);
        this.walk(value);
      }
      else if (key === 'pktable') this.reference(value as RangeVar);
      else if (key === 'relation') this.read(value as RangeVar);
      else if (key === 'rel' || key === 'view' || key === 'sequence') continue; // creation targets, resolved by statement()
      else this.walk(value);
    }
  }

  /** OWNED BY [schema.]table.column and an identity's SEQUENCE NAME [schema.]name. */
  private sequenceOption(def: Obj): void {
    const list = (def.arg as { List?: { items?: Node[] } } | undefined)?.List;
    if (!list?.items) return;
    if (def.defname === 'sequence_name') list.items = this.nameList(list.items, 'relation');
    else if (def.defname === 'owned_by' && list.items.length >= 2) {
      const column = list.items.at(-1)!;
      list.items = [...this.nameList(list.items.slice(0, -1), 'relation'), column];
    }
  }

  /** nextval('s'), currval and setval name their sequence in a string: resolved like a relation name when it is a constant. */
  private sequenceArgument(call: Obj): void {
    const fn = sval((call.funcname as unknown[] | undefined)?.at(-1));
    const first = (call.args as Obj[] | undefined)?.[0];
    if (!['nextval', 'currval', 'setval'].includes(fn) || !first) return;
    const inner = ((first.TypeCast as Obj | undefined)?.arg as Obj | undefined) ?? first;
    const text = (inner.A_Const as Obj | undefined)?.sval as { sval?: string } | undefined;
    if (!text?.sval || text.sval.includes('.')) return;
    const schema = this.find(text.sval, 'relation');
    if (schema && schema !== 'public') text.sval = relationKey(schema, text.sval);
  }

  /** Rewrites a relation reference to its key; returns its schema when that is not public. */
  private read(rv: RangeVar | undefined): string | undefined {
    if (!rv?.relname || this.done.has(rv)) return undefined;
    const bare = rv.schemaname === undefined && !this.ctes.has(rv.relname);
    const schema = (rv.schemaname === 'pg_temp' ? this.temporary(rv.relname) : rv.schemaname) ?? (bare ? this.find(rv.relname, 'relation') : undefined);
    if (bare && schema === undefined) this.hiddenPublic(rv);
    if (!schema || schema === 'public' || SYSTEM_SCHEMAS.has(schema) || !this.state.schemas.has(schema)) return undefined;
    this.rename(rv, schema);
    return schema;
  }

  /**
   * A foreign key's table: a bare name of the table being created is that table (PostgreSQL adds
   * the key once the table exists), unless the temporary schema, searched first, has one of the name.
   */
  private reference(rv: RangeVar | undefined): void {
    const c = this.created;
    if (c && c.key !== c.name && rv?.relname === c.name && rv.schemaname === undefined && !this.done.has(rv)) {
      const found = this.find(c.name, 'relation');
      if (found === undefined || !isTempSchema(found)) {
        rv.relname = c.key;
        this.done.add(rv);
        return;
      }
    }
    this.read(rv);
  }

  /** A public relation the path does not reach is not found, as in PostgreSQL (system catalogs are found anyway). */
  private hiddenPublic(rv: RangeVar): void {
    if (this.lookup.includes('public')) return;
    const name = rv.relname!;
    const oid = this.state.tableNames.get(name);
    if (oid !== undefined ? this.state.tables.get(oid)?.def.system : !this.state.indexNames.has(name) && !this.state.sequenceNames.has(name)) return;
    throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`, { position: pos(rv.location) });
  }

  private create(rv: RangeVar | undefined): void {
    if (!rv?.relname) return;
    const name = rv.relname;
    this.createIn(rv, name);
    this.created = { name, key: rv.relname };
  }

  private createIn(rv: RangeVar, name: string): void {
    this.done.add(rv);
    const temp = this.path.find(isTempSchema);
    if (temp && (rv.relpersistence === 't' || rv.schemaname === 'pg_temp')) {
      if (rv.schemaname !== undefined && rv.schemaname !== 'pg_temp') throw new SqlError('42P16', 'cannot create temporary relation in non-temporary schema', { position: pos(rv.location) });
      this.rename(rv, temp);
      return;
    }
    const schema = rv.schemaname ?? this.creationSchema(rv.location);
    // a public "app.t" would have the key of app's t
    if (schema === 'public' && this.state.schemas.has(splitKey(name).schema)) throw featureNotSupported(`relation names starting with the name of a schema and "." ("${name}")`);
    if (schema === 'public' || SYSTEM_SCHEMAS.has(schema)) return;
    if (!this.state.schemas.has(schema)) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`, { position: pos(rv.location) });
    this.rename(rv, schema);
  }

  private rename(rv: RangeVar, schema: string): void {
    const name = rv.relname!;
    if (name.includes('.')) throw new SqlError(SQLSTATE.feature_not_supported, `relation names containing "." are not supported in schema "${schema}"`);
    rv.relname = relationKey(schema, name);
    delete rv.schemaname;
    // the relation is still called by its own name in the query (t.x)
    rv.alias ??= { aliasname: name };
    this.done.add(rv);
  }

  /** `pg_temp.name`: the session's own temporary schema, when it holds `name` (else left as written, for the planners' errors). */
  private temporary(name: string): string {
    const temp = this.lookup.find(isTempSchema);
    return temp && this.find(name, 'relation') === temp ? temp : 'pg_temp';
  }

  /** CREATE goes to the first schema of search_path that exists (never the temporary one), as in PostgreSQL. */
  private creationSchema(location?: number): string {
    const first = this.path.find((s) => s === 'public' || (this.state.schemas.has(s) && !isTempSchema(s)));
    if (first === undefined) throw new SqlError(INVALID_SCHEMA_NAME, 'no schema has been selected to create in', { position: pos(location) });
    return first;
  }

  /** The schema of the path where `name` exists. */
  private find(name: string, what: 'relation' | 'type'): string | undefined {
    for (const schema of this.lookup) {
      const key = relationKey(schema, name);
      const s = this.state;
      if (what === 'type' ? s.typeNames.has(key) : s.tableNames.has(key) || s.indexNames.has(key) || s.sequenceNames.has(key)) return schema;
    }
    return undefined;
  }

  /** A (possibly qualified) name as a list of String nodes, resolved to one key. */
  private nameList(items: Node[], what: 'relation' | 'type'): Node[] {
    const parts = items.map(sval);
    if (parts.length === 1) {
      const schema = this.find(parts[0]!, what);
      return schema && schema !== 'public' ? [{ String: { sval: relationKey(schema, parts[0]!) } }] : items;
    }
    const [given, name] = parts.length === 2 ? parts : [];
    const schema = given === 'pg_temp' ? this.temporary(name!) : given;
    if (!schema || schema === 'public' || SYSTEM_SCHEMAS.has(schema) || !this.state.schemas.has(schema)) return items;
    return [{ String: { sval: relationKey(schema, name!) } }];
  }

  private createType(items: Node[]): Node[] {
    const parts = items.map(sval);
    const schema = parts.length === 2 ? parts[0]! : parts.length === 1 ? this.creationSchema() : undefined;
    if (schema === undefined || schema === 'public' || SYSTEM_SCHEMAS.has(schema)) return items;
    if (!this.state.schemas.has(schema)) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    return [{ String: { sval: relationKey(schema, parts[parts.length - 1]!) } }];
  }
}
