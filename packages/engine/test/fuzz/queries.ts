/**
 * The planner fuzzer's random queries over a random schema (schema.ts): conditions the index paths
 * serve (ranges open, empty and reversed, IN, IS NULL, LIKE prefixes, composite prefixes,
 * expression and partial index predicates, type-crossing literals and parameters), orders with
 * mixed directions and NULLS placement, LIMIT/OFFSET, joins of 2–4 tables (ON, USING, NATURAL,
 * comma + WHERE; INNER, LEFT, RIGHT, FULL), EXISTS/IN subqueries, LATERAL, aggregates, GROUP BY,
 * HAVING and DISTINCT. Each query says how its result may be compared (fuzz/compare.ts).
 */
import { crossLiteral, isNumeric, literal, paramValue, type Col, type ColType, type Rand, type Table } from './schema.ts';

export interface Query {
  sql: string;
  params: unknown[];
  /** Output positions of the ORDER BY keys, in order; null when the order is unspecified. */
  keys: number[] | null;
  /** The ORDER BY keys decide the order of distinct rows completely. */
  determined: boolean;
  limited: boolean;
  /** Equal numeric/float values may legitimately print differently (1.5 vs 1.50, 0 vs -0): grouping, DISTINCT, min/max. */
  loose: boolean;
  /** The rows must come in exactly this order, though no output column is an ORDER BY key (`determined` by hidden keys). */
  sequence?: boolean;
  /** Floats may differ in their last digits: sums whose order of addition is PostgreSQL's sort's (grouped aggregates). */
  floats?: boolean;
}

interface Ref { sql: string; type: ColType }

class Builder {
  params: unknown[] = [];
  constructor(readonly r: Rand) {}

  param(type: ColType): string {
    this.params.push(paramValue(this.r, type));
    return `$${this.params.length}`;
  }

  value(type: ColType): string {
    const x = this.r.next();
    if (x < 0.15) return crossLiteral(this.r, type);
    if (x < 0.25) return this.param(type);
    return literal(this.r, type, 0.03);
  }

  /** One condition on a column, of the shapes the index paths serve. */
  condition(c: Ref): string {
    const r = this.r;
    const ref = c.sql;
    if (c.type === 'bool') return r.pick([ref, `not ${ref}`, `${ref} is true`, `${ref} is not false`, `${ref} = ${literal(r, 'bool')}`, `${ref} is null`]);
    switch (r.int(0, 9)) {
      case 0: case 1: case 2: return `${ref} ${r.pick(['=', '<', '<=', '>', '>=', '<>'])} ${this.value(c.type)}`;
      case 3: return `${ref} ${r.pick(['between', 'not between', 'between symmetric'])} ${this.value(c.type)} and ${this.value(c.type)}`;
      case 4: {
        const vs = Array.from({ length: r.int(1, 4) }, () => (r.chance(0.1) ? crossLiteral(r, c.type) : literal(r, c.type, 0.1)));
        return `${ref} ${r.pick(['in', 'in', 'not in'])} (${vs.join(', ')})`;
      }
      case 5: return `${ref} ${r.pick(['is null', 'is not null'])}`;
      case 6: return `${ref} ${r.pick(['>', '>='])} ${this.value(c.type)} and ${ref} ${r.pick(['<', '<='])} ${this.value(c.type)}`;
      case 7: if (c.type === 'text') {
        const pat = r.pick(['a%', 'A%', 'ab%', 'é%', 'a_%', '%b', 'a', '', '%', 'a\\%%', '😀%', 'É%', 'a\uFFFF%', 'a😀%', 'a\u00FF%']);
        return `${ref} ${r.pick(['like', 'like', 'not like', 'ilike'])} '${pat}'`;
      }
      // falls through
      case 8: if (c.type === 'text') return `lower(${ref}) ${r.pick(['=', '<', '>='])} ${literal(r, 'text')}`;
        if (isNumeric(c.type)) return `(${ref} / 2) ${r.pick(['=', '<', '>='])} ${this.value(c.type)}`;
        return `${ref} = ${this.value(c.type)}`;
      default: return `${ref} = any(array[${literal(r, c.type)}, ${literal(r, c.type)}])`;
    }
  }

  where(cols: Ref[]): string {
    const r = this.r;
    const parts = Array.from({ length: r.int(1, 3) }, () => this.condition(r.pick(cols)));
    if (parts.length > 1 && r.chance(0.25)) return `(${parts[0]}) or (${parts.slice(1).join(' and ')})`;
    return parts.join(' and ');
  }

  order(r: Rand, exprs: string[]): string {
    return exprs.map((e) => `${e}${r.pick(['', ' asc', ' desc'])}${r.pick(['', '', ' nulls first', ' nulls last'])}`).join(', ');
  }

  limit(): string {
    const r = this.r;
    return `${r.chance(0.7) ? ` limit ${r.pick([0, 1, 2, 3, 5, 10, r.int(0, 30)])}` : ''}${r.chance(0.3) ? ` offset ${r.int(0, 5)}` : ''}`;
  }
}

const refs = (t: Table, alias?: string): Ref[] => t.cols.map((c) => ({ sql: alias ? `${alias}.${c.name}` : c.name, type: c.type }));
const nonBool = (cs: Ref[]) => cs.filter((c) => c.type !== 'bool');

/** A query over one table: scans, ordered walks, top-N, aggregates, grouping, DISTINCT. */
function single(b: Builder, t: Table): Query {
  const r = b.r;
  const cols = refs(t);
  const where = r.chance(0.8) ? ` where ${b.where(cols)}` : '';
  // a WHERE built (and its parameters taken) is always used: PostgreSQL refuses extra parameters (08P01)
  const kind = r.int(0, 15);
  if (kind >= 13) return misc(b, t, cols, where);
  if (kind >= 10) return ordered(b, t, cols, where, kind);
  if (kind <= 4) {
    const out = r.some(cols, 1, 4);
    let keys: Ref[] = r.chance(0.75) ? r.some(out, 1, Math.min(3, out.length)) : [];
    const limit = keys.length ? b.limit() : '';
    const id = cols[0]!;
    if (keys.length && limit && t.pk && r.chance(0.6) && !keys.includes(id)) {
      if (!out.includes(id)) out.push(id);
      keys = [...keys, id];
    }
    const order = keys.length ? ` order by ${b.order(r, keys.map((k) => k.sql))}` : '';
    return {
      sql: `select ${out.map((c) => c.sql).join(', ')} from ${t.name}${where}${order}${limit}`,
      params: b.params, keys: keys.length ? keys.map((k) => out.indexOf(k)) : null,
      determined: t.pk && keys.includes(id), limited: limit !== '', loose: false,
    };
  }
  if (kind === 5) {
    const c = r.pick(nonBool(cols));
    const sums = cols.filter((x) => x.type === 'int4' || x.type === 'int8' || x.type === 'numeric').slice(0, 1).map((x) => `sum(${x.sql}), avg(${x.sql})`);
    const aggs = r.chance(0.3) ? ['count(*)'] : ['count(*)', `count(${c.sql})`, `min(${c.sql})`, `max(${c.sql})`, ...sums];
    return { sql: `select ${aggs.join(', ')} from ${t.name}${where}`, params: b.params, keys: null, determined: false, limited: false, loose: true };
  }
  if (kind <= 7) {
    const groups = r.some(cols.slice(1), 1, 2);
    const c = r.pick(nonBool(cols));
    const having = r.chance(0.3) ? ` having count(*) ${r.pick(['>', '<', '='])} ${r.int(0, 3)}` : '';
    const ordered = r.chance(0.5);
    const order = ordered ? ` order by ${b.order(r, groups.map((g) => g.sql))}` : '';
    return {
      sql: `select ${groups.map((g) => g.sql).join(', ')}, count(*), min(${c.sql}), max(${c.sql}) from ${t.name}${where} group by ${groups.map((g) => g.sql).join(', ')}${having}${order}`,
      params: b.params, keys: ordered ? groups.map((_, i) => i) : null, determined: ordered, limited: false, loose: true,
    };
  }
  if (kind === 8) {
    const out = r.some(cols.slice(1), 1, 2);
    const ordered = r.chance(0.5);
    const limit = ordered ? b.limit() : '';
    const order = ordered ? ` order by ${b.order(r, out.map((g) => g.sql))}` : '';
    return {
      sql: `select distinct ${out.map((c) => c.sql).join(', ')} from ${t.name}${where}${order}${limit}`,
      params: b.params, keys: ordered ? out.map((_, i) => i) : null, determined: ordered, limited: limit !== '', loose: true,
    };
  }
  const c = r.pick(nonBool(cols));
  return { sql: `select min(${c.sql}), max(${c.sql}) from ${t.name}${where}`, params: b.params, keys: null, determined: false, limited: false, loose: true };
}

/** Orders an index can give: an expression index's expression, a composite index's second column after equality on its first, a derived table cut by LIMIT. */
function ordered(b: Builder, t: Table, cols: Ref[], where: string, kind: number): Query {
  const r = b.r;
  const id = cols[0]!;
  const tie = t.pk ? `, ${id.sql}${r.pick(['', ' desc'])}` : '';
  if (kind === 10) {
    const c = r.pick(nonBool(cols.slice(1)).length ? nonBool(cols.slice(1)) : cols);
    const e = c.type === 'text' ? `lower(${c.sql})` : isNumeric(c.type) ? `(${c.sql} / 2)` : c.sql;
    const limit = b.limit();
    return {
      sql: `select ${e} as k, ${id.sql} from ${t.name}${where} order by ${b.order(r, [e])}${tie}${limit}`,
      params: b.params, keys: t.pk ? [0, 1] : [0], determined: t.pk, limited: limit !== '', loose: false,
    };
  }
  if (kind === 11 && cols.length >= 3) {
    const [x, y] = r.some(cols.slice(1), 2, 2) as [Ref, Ref];
    const limit = b.limit();
    const eq = r.chance(0.8) ? `${x.sql} = ${literal(r, x.type)}` : `${x.sql} is null`;
    return {
      sql: `select ${x.sql}, ${y.sql}, ${id.sql} from ${t.name} where ${eq}${where ? ` and ${where.slice(7)}` : ''} order by ${b.order(r, [y.sql])}${tie}${limit}`,
      params: b.params, keys: t.pk ? [1, 2] : [1], determined: t.pk, limited: limit !== '', loose: false,
    };
  }
  // a derived table cut by an ORDER BY that decides every row (primary key last), filtered outside
  const c = r.pick(cols);
  // without a primary key the rows a LIMIT keeps among ties are any of them: no LIMIT then
  const inner = `select ${cols.map((x) => x.sql).join(', ')} from ${t.name}${where} order by ${b.order(r, [c.sql])}${tie}${t.pk ? ` limit ${r.int(0, 12)}` : ''}`;
  const outer = b.condition(r.pick(cols));
  return { sql: `select * from (${inner}) s where ${outer}`, params: b.params, keys: null, determined: false, limited: false, loose: false };
}

/** Shapes beside the main ones: DISTINCT ON, row comparisons, IS [NOT] DISTINCT FROM, aggregates with FILTER and DISTINCT, LIMIT by parameter, UNION ALL under ORDER BY/LIMIT, a CTE. */
function misc(b: Builder, t: Table, cols: Ref[], where: string): Query {
  const r = b.r;
  const id = cols[0]!;
  const data = cols.slice(1);
  const c = r.pick(nonBool(data).length ? nonBool(data) : data);
  const w = where || ' where true';
  switch (r.int(0, 9)) {
    case 7: {
      // ORDER BY columns that are not selected: the order is checked through the full sequence (primary key last)
      if (!t.pk) break;
      const keys = r.some(data, 1, 2);
      const out = r.some(data, 1, 2);
      const limit = b.limit();
      return {
        sql: `select ${out.map((x) => x.sql).join(', ')}, ${id.sql} from ${t.name}${where} order by ${b.order(r, keys.map((k) => k.sql))}, ${id.sql}${r.pick(['', ' desc'])}${limit}`,
        params: b.params, keys: null, determined: true, limited: limit !== '', loose: false, sequence: true,
      };
    }
    case 8: {
      // top-N over groups, ordered by an aggregate (the group key breaks ties)
      const g = r.pick(data);
      return {
        sql: `select ${g.sql}, count(*) from ${t.name}${where} group by ${g.sql} order by count(*)${r.pick(['', ' desc'])}, ${g.sql}${r.pick(['', ' desc'])} nulls first limit ${r.int(1, 5)}`,
        params: b.params, keys: [1, 0], determined: true, limited: true, loose: true,
      };
    }
    case 9: {
      // several equalities on a composite index's first column, ordered by the second
      const [x, y] = r.some(data, 2, 2);
      if (!x || !y || !t.pk) break;
      const vs = Array.from({ length: r.int(2, 4) }, () => literal(r, x.type, 0.1)).join(', ');
      const limit = b.limit();
      return {
        sql: `select ${x.sql}, ${y.sql}, ${id.sql} from ${t.name} where ${x.sql} in (${vs})${where ? ` and ${where.slice(7)}` : ''} order by ${b.order(r, [y.sql])}, ${id.sql}${limit}`,
        params: b.params, keys: [1, 2], determined: true, limited: limit !== '', loose: false,
      };
    }
    case 0: {
      if (!t.pk) break;
      return {
        sql: `select distinct on (${c.sql}) ${c.sql}, ${id.sql} from ${t.name}${where} order by ${b.order(r, [c.sql])}, ${id.sql}${r.pick(['', ' desc'])}`,
        params: b.params, keys: [0], determined: false, limited: true, loose: false,
      };
    }
    case 1: {
      const d = r.pick(data);
      return {
        sql: `select ${id.sql}, ${c.sql}, ${d.sql} from ${t.name} where (${c.sql}, ${d.sql}) ${r.pick(['<', '>=', '=', '<>'])} (${literal(r, c.type)}, ${literal(r, d.type)})${where ? ` and ${where.slice(7)}` : ''}`,
        params: b.params, keys: null, determined: false, limited: false, loose: false,
      };
    }
    case 2: return {
      sql: `select ${id.sql}, ${c.sql} from ${t.name} where ${c.sql} is ${r.pick(['', 'not '])}distinct from ${r.chance(0.2) ? 'null' : b.value(c.type)}${where ? ` and ${where.slice(7)}` : ''}`,
      params: b.params, keys: null, determined: false, limited: false, loose: false,
    };
    case 3: {
      const g = r.pick(data);
      return {
        sql: `select ${g.sql}, count(distinct ${c.sql}), count(*) filter (where ${b.condition(r.pick(cols))}), max(${c.sql}) filter (where ${id.sql} > ${r.int(0, 20)}) from ${t.name}${where} group by ${g.sql}`,
        params: b.params, keys: null, determined: false, limited: false, loose: true,
      };
    }
    case 4: {
      if (!t.pk) break;
      b.params.push(r.int(0, 8));
      const n = b.params.length;
      return {
        sql: `select ${c.sql}, ${id.sql} from ${t.name}${where} order by ${b.order(r, [c.sql])}, ${id.sql} limit $${n}`,
        params: b.params, keys: [0, 1], determined: true, limited: true, loose: false,
      };
    }
    case 5: {
      if (!t.pk) break;
      const other = b.condition(r.pick(cols));
      return {
        sql: `select ${c.sql}, ${id.sql} from ${t.name}${w} union all select ${c.sql}, ${id.sql} from ${t.name} where ${other} order by ${b.order(r, ['1'])}, 2 limit ${r.int(0, 15)}`,
        params: b.params, keys: [0, 1], determined: false, limited: true, loose: false,
      };
    }
    default: break;
  }
  return {
    sql: `with s as (select * from ${t.name}${where}) select count(*), min(${c.sql}), max(${c.sql}) from s where ${b.condition(r.pick(cols))}`,
    params: b.params, keys: null, determined: false, limited: false, loose: true,
  };
}

/** Two columns that may be compared for equality (same type, or both numeric, or date/timestamptz). */
function comparable(a: Col, b: Col): boolean {
  if (a.type === 'bool' || b.type === 'bool') return false;
  if (a.type === b.type) return true;
  if (isNumeric(a.type) && isNumeric(b.type)) return true;
  return (a.type === 'date' || a.type === 'timestamptz') && (b.type === 'date' || b.type === 'timestamptz');
}

function joinCondition(r: Rand, a: Table, aa: string, bt: Table, ba: string): string {
  const pairs: [Col, Col][] = [];
  for (const x of a.cols) for (const y of bt.cols) if (comparable(x, y)) pairs.push([x, y]);
  const same = pairs.filter(([x, y]) => x.name === y.name);
  const [x, y] = r.chance(0.6) && same.length ? r.pick(same) : r.pick(pairs);
  const op = r.chance(0.85) ? '=' : r.pick(['<', '>=', '<>']);
  return `${aa}.${x.name} ${op} ${ba}.${y.name}`;
}

/** A join of 2–4 tables, or a subquery or LATERAL over two. */
function join(b: Builder, tables: Table[]): Query {
  const r = b.r;
  // three or four tables only when small, so a join on few distinct values stays small
  const wide = r.chance(0.3) && tables.filter((t) => t.rows <= 40).length >= 3;
  const chosen = r.some(wide ? tables.filter((t) => t.rows <= 40) : tables, 2, wide ? 4 : 2);
  const commas = r.chance(0.25);
  const aliases = chosen.map((_, i) => 'abcd'[i]!);
  const kind = r.int(0, 9);
  const [t1, t2] = [chosen[0]!, chosen[1]!];
  if (kind === 0 || kind === 1) {
    // EXISTS / IN subqueries
    const pairs: [Col, Col][] = [];
    for (const x of t1.cols) for (const y of t2.cols) if (comparable(x, y)) pairs.push([x, y]);
    const [x, y] = r.pick(pairs);
    const inner = r.chance(0.5) ? ` and ${b.where(refs(t2, 'b'))}` : '';
    const cond = kind === 0
      ? `${r.pick(['', 'not '])}exists (select 1 from ${t2.name} b where b.${y.name} = a.${x.name}${inner})`
      : `a.${x.name} ${r.pick(['in', 'not in'])} (select b.${y.name} from ${t2.name} b${inner ? ` where ${inner.slice(5)}` : ''})`;
    return { sql: `select a.* from ${t1.name} a where ${cond}`, params: b.params, keys: null, determined: false, limited: false, loose: false };
  }
  if (kind === 9) {
    // a correlated scalar sub-select: min/max and count where an index end or tree size might wrongly answer
    const pairs: [Col, Col][] = [];
    for (const x of t1.cols) for (const y of t2.cols) if (comparable(x, y)) pairs.push([x, y]);
    const [x, y] = r.pick(pairs);
    const z = r.pick(t2.cols.filter((c) => c.type !== 'bool'));
    const agg = r.pick([`min(b.${z.name})`, `max(b.${z.name})`, 'count(*)']);
    return {
      sql: `select a.id, (select ${agg} from ${t2.name} b where b.${y.name} ${r.pick(['=', '<', '>='])} a.${x.name}) as v from ${t1.name} a`,
      params: b.params, keys: null, determined: false, limited: false, loose: true,
    };
  }
  if (kind === 2) {
    // LATERAL: the inner side returns only its order key, so ties print the same
    const pairs: [Col, Col][] = [];
    for (const x of t1.cols) for (const y of t2.cols) if (comparable(x, y)) pairs.push([x, y]);
    const [x, y] = r.pick(pairs);
    const how = r.chance(0.5) ? ', lateral' : ' left join lateral';
    const op = r.pick(['=', '<', '>=']);
    const dir = `${r.pick(['', ' desc'])}${r.pick(['', ' nulls first', ' nulls last'])}`;
    return {
      sql: `select a.id, l.v from ${t1.name} a${how} (select b.${y.name} as v from ${t2.name} b where b.${y.name} ${op} a.${x.name} order by b.${y.name}${dir} limit ${r.int(1, 3)}) l${how.includes('left') ? ' on true' : ''}`,
      params: b.params, keys: null, determined: false, limited: false, loose: true,
    };
  }
  let from = `${t1.name} a`;
  const wheres: string[] = [];
  let merged: string[] = [];
  for (let i = 1; i < chosen.length; i++) {
    const t = chosen[i]!;
    const al = aliases[i]!;
    const left = r.pick(chosen.slice(0, i).map((x, k) => [x, aliases[k]!] as const));
    const type = commas ? ',' : r.pick(['join', 'join', 'left join', 'right join', 'full join']);
    const common = t1.cols.filter((c) => t.cols.some((d) => d.name === c.name && d.type === c.type) && c.type !== 'bool');
    if (type === ',') {
      from += `, ${t.name} ${al}`;
      wheres.push(joinCondition(r, left[0], left[1], t, al));
    } else if (chosen.length === 2 && common.length && r.chance(0.35)) {
      const using = r.some(common, 1, 2).map((c) => c.name);
      merged = using;
      from += ` ${type} ${t.name} ${al} using (${using.join(', ')})`;
    } else if (chosen.length === 2 && r.chance(0.08)) {
      merged = t1.cols.filter((c) => t.cols.some((d) => d.name === c.name)).map((c) => c.name);
      from += ` natural ${type} ${t.name} ${al}`;
    } else {
      from += ` ${type} ${t.name} ${al} on ${joinCondition(r, left[0], left[1], t, al)}`;
    }
  }
  const all = chosen.flatMap((t, i) => refs(t, aliases[i]).filter((c) => !merged.includes(c.sql.split('.')[1]!)));
  const usable = [...merged.map((m) => ({ sql: m, type: t1.cols.find((c) => c.name === m)!.type })), ...all];
  if (r.chance(0.6)) wheres.push(b.where(usable));
  const where = wheres.length ? ` where ${wheres.join(' and ')}` : '';
  if (kind === 3) {
    const g = r.pick(usable);
    const c = r.pick(nonBool(usable));
    return { sql: `select ${g.sql}, count(*), max(${c.sql}) from ${from}${where} group by ${g.sql}`, params: b.params, keys: null, determined: false, limited: false, loose: true };
  }
  if (kind === 4) return { sql: `select count(*) from ${from}${where}`, params: b.params, keys: null, determined: false, limited: false, loose: false };
  const out = r.some(usable, 1, 4);
  const keys = r.chance(0.4) ? r.some(out, 1, Math.min(2, out.length)) : [];
  const limit = keys.length ? b.limit() : '';
  const order = keys.length ? ` order by ${b.order(r, keys.map((k) => k.sql))}` : '';
  return {
    sql: `select ${out.map((c, i) => `${c.sql} as c${i}`).join(', ')} from ${from}${where}${order}${limit}`,
    params: b.params, keys: keys.length ? keys.map((k) => out.indexOf(k)) : null, determined: false, limited: limit !== '', loose: false,
  };
}

/** A random query over the tables. */
export function query(r: Rand, tables: Table[]): Query {
  const b = new Builder(r);
  return r.chance(0.55) ? single(b, r.pick(tables)) : join(b, tables);
}

/** An UPDATE or DELETE through the conditions the index paths serve, returning what it changed. */
export function dml(r: Rand, tables: Table[]): { sql: string; params: unknown[] } {
  const b = new Builder(r);
  const t = r.pick(tables);
  const cols = refs(t);
  const where = b.where(cols);
  const c = r.pick(t.cols.slice(1));
  const returning = ` returning ${t.cols.map((x) => x.name).join(', ')}`;
  if (r.chance(0.3)) return { sql: `delete from ${t.name} where ${where}${returning}`, params: b.params };
  const value = r.chance(0.5) ? literal(r, c.type, 0.2) : isNumeric(c.type) && c.type !== 'numeric' ? `${c.name} / 2` : c.name;
  return { sql: `update ${t.name} set ${c.name} = ${value} where ${where}${returning}`, params: b.params };
}
