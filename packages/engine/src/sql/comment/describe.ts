/**
 * obj_description(oid [, catalog]) and col_description(table, attnum): COMMENT ON text from the
 * statement's snapshot (catalog/comments.ts). PostgreSQL's built-in objects carry descriptions
 * walrtc does not hold, so asking for one is refused (0A000) rather than answered NULL.
 */
import { featureNotSupported } from '../../errors.ts';
import { CLASS_OIDS, commentKey } from '../../catalog/comments.ts';
import type { RunContext } from '../env.ts';
import type { Compiled } from '../scope.ts';
import type { Value } from '../types.ts';
import { RegClass } from '../types/regclass-value.ts';
import { FIRST_USER_OID } from './comment.ts';

/** Catalogs PostgreSQL has whose objects walrtc keeps no comments for. */
const OTHER_CATALOGS = new Set(['pg_constraint', 'pg_am', 'pg_attrdef', 'pg_cast', 'pg_collation', 'pg_conversion', 'pg_database', 'pg_event_trigger',
  'pg_extension', 'pg_foreign_data_wrapper', 'pg_foreign_server', 'pg_language', 'pg_largeobject', 'pg_opclass', 'pg_operator', 'pg_opfamily',
  'pg_policy', 'pg_publication', 'pg_rewrite', 'pg_statistic_ext', 'pg_subscription', 'pg_transform', 'pg_trigger', 'pg_ts_config',
  'pg_ts_dict', 'pg_ts_parser', 'pg_ts_template', 'pg_authid', 'pg_tablespace', 'pg_index', 'pg_attribute', 'pg_description']);

const oidOf = (v: Value): number => (v instanceof RegClass ? v.oid : Number(v));

/** The catalog's oid; undefined for a name that is no catalog, of which PostgreSQL's obj_description finds no comment. */
function catalogOid(name: string): number | undefined {
  const oid = (CLASS_OIDS as Record<string, number>)[name];
  if (oid === undefined && OTHER_CATALOGS.has(name)) throw featureNotSupported(`obj_description for ${name}`);
  return oid;
}

function userObject(oid: number, fn: string): void {
  if (oid < FIRST_USER_OID) throw featureNotSupported(`${fn} of a built-in object (oid ${oid})`);
}

function describe(ctx: RunContext, objoid: number, classoid: number | undefined, subid: number): string | null {
  const comments = ctx.env.state.comments;
  if (classoid !== undefined) return comments.get(commentKey(classoid, objoid, subid)) ?? null;
  for (const c of Object.values(CLASS_OIDS)) {
    const text = comments.get(commentKey(c, objoid, subid));
    if (text !== undefined) return text;
  }
  return null;
}

/** The description functions, or undefined for another name or arity. */
export function descriptionFunction(name: string, args: Compiled[]): Compiled | undefined {
  if (name === 'obj_description' && (args.length === 1 || args.length === 2)) {
    return {
      type: 'text',
      eval: (row, c) => {
        const ctx = c as RunContext;
        const oid = args[0]!.eval(row, ctx), catalog = args[1]?.eval(row, ctx);
        if (oid === null || catalog === null) return null;
        const classoid = args[1] ? catalogOid(String(catalog)) : undefined;
        if (args[1] && classoid === undefined) return null;
        userObject(oidOf(oid), name);
        return describe(ctx, oidOf(oid), classoid, 0);
      },
    };
  }
  if (name === 'col_description' && args.length === 2) {
    return {
      type: 'text',
      eval: (row, c) => {
        const ctx = c as RunContext;
        const oid = args[0]!.eval(row, ctx), attnum = args[1]!.eval(row, ctx);
        if (oid === null || attnum === null) return null;
        userObject(oidOf(oid), name);
        return describe(ctx, oidOf(oid), CLASS_OIDS.pg_class, Number(attnum));
      },
    };
  }
  return undefined;
}
