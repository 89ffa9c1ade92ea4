/**
 * The planner fuzzer's random schemas: a few small tables whose columns are named by their type
 * (so USING and NATURAL joins find common names), values from small domains full of duplicates,
 * NULLs and the edges of each type (NaN, -0, infinities, int8 beyond 2^53, mixed case and
 * non-ASCII text), and every kind of index the planner serves (primary key, unique, secondary,
 * composite with DESC/NULLS FIRST, expression, partial).
 */

export type ColType = 'int4' | 'int8' | 'numeric' | 'text' | 'float8' | 'bool' | 'date' | 'timestamptz';

export interface Col { name: string; type: ColType }
export interface Table { name: string; cols: Col[]; pk: boolean; rows: number }

/** A seeded source of choices. */
export class Rand {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(0, xs.length - 1)]!; }
  chance(p: number): boolean { return this.next() < p; }
  some<T>(xs: readonly T[], lo: number, hi: number): T[] {
    const pool = [...xs];
    const out: T[] = [];
    for (let n = this.int(lo, Math.min(hi, pool.length)); n > 0; n--) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]!);
    return out;
  }
}

/** Column names by type: every table draws from the same names. */
export const COLUMNS: Col[] = [
  { name: 'i', type: 'int4' }, { name: 'j', type: 'int4' }, { name: 'b', type: 'int8' }, { name: 'n', type: 'numeric' },
  { name: 's', type: 'text' }, { name: 'f', type: 'float8' }, { name: 'o', type: 'bool' }, { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamptz' },
];

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Literals of each type, small domains so values repeat, with each type's edges. */
const DOMAIN: Record<ColType, string[]> = {
  int4: ['-3', '-1', '0', '1', '2', '3', '4', '5', '7', '10', '2147483647', '-2147483648'],
  int8: ['-2', '0', '1', '2', '3', '5', '3000000000', '9007199254740993', '-9007199254740993', '9223372036854775807'],
  numeric: ['0', '-0.0', '1', '1.5', '1.50', '2', '-2.25', '3', '12.345', '100000000000000000000.1', "'NaN'::numeric"],
  text: ['a', 'A', 'ab', 'Ab', 'aB', 'b', 'B', 'ba', 'é', 'É', 'ß', '😀', '\uFF21', '', ' a', 'a%b', 'a_c', 'z', 'a😀', 'a\uFFFF', 'a\uFFFFb', 'ab😀', 'a\u00FF'].map(quote),
  float8: ['0', "'-0'::float8", '1.5', '2', '-3', '0.1', "'NaN'::float8", "'Infinity'::float8", "'-Infinity'::float8", '1e300', '7'],
  bool: ['true', 'false'],
  date: ['2024-01-01', '2024-02-29', '1999-12-31', '2024-01-02'].map((v) => `${quote(v)}::date`),
  timestamptz: ['2024-01-01 00:00:00+00', '2024-01-01 12:30:00+02', '2024-03-10 01:02:03.5+00', '1999-12-31 23:59:59+00']
    .map((v) => `${quote(v)}::timestamptz`),
};

/** A literal of the type (or NULL with probability `nulls`). */
export function literal(r: Rand, type: ColType, nulls = 0): string {
  return r.chance(nulls) ? 'null' : r.pick(DOMAIN[type]);
}

/** A literal of another type that compares with the type: the type-crossing comparisons. */
export function crossLiteral(r: Rand, type: ColType): string {
  switch (type) {
    case 'int4': return r.pick(['1.5', '2.0', '3000000000', "'2.5'::float8", "'NaN'::float8", '2::int8', "'Infinity'::float8", '-2147483649', '4.999']);
    case 'int8': return r.pick(['1.5', '2::int4', "'2.5'::float8", '3000000000.5', '9223372036854775808', "'NaN'::numeric"]);
    case 'numeric': return r.pick(['2::int4', '3000000000::int8', "'1.5'::float8", "'NaN'::float8", "'Infinity'::float8"]);
    case 'float8': return r.pick(['2::int4', '1.5', '7::int8', "'NaN'::numeric", '0.1::numeric']);
    case 'date': return r.pick(["'2024-01-01 12:00:00+00'::timestamptz", "'2024-01-01 00:00:00'::timestamp", "'2024-02-29'::timestamp"]);
    case 'timestamptz': return r.pick(["'2024-01-01'::date", "'2024-01-01 12:30:00'::timestamp", "'2024-02-29'::date"]);
    default: return literal(r, type);
  }
}

/** A parameter value for a column of the type, as a client would pass it (sometimes of another type). */
export function paramValue(r: Rand, type: ColType): unknown {
  switch (type) {
    case 'int4': return r.pick([1, 2, 5, -1, '3', 2147483647, 1.5, '2.5', 3000000000]);
    case 'int8': return r.pick([1, 3, 3000000000, '9007199254740993', 2.5]);
    case 'numeric': return r.pick(['1.5', 2, '1.50', 'NaN', 0.1]);
    case 'text': return r.pick(['a', 'A', 'ab', 'é', '', 'b']);
    case 'float8': return r.pick([1.5, 0, -3, 'NaN', 'Infinity', '-0']);
    case 'bool': return r.pick([true, false, 'true']);
    case 'date': return r.pick(['2024-01-01', '2024-02-29']);
    case 'timestamptz': return r.pick(['2024-01-01 00:00:00+00', '2024-01-01 10:30:00Z']);
  }
}

export const isNumeric = (t: ColType) => t === 'int4' || t === 'int8' || t === 'numeric' || t === 'float8';
export const isOrderedIndexable = (t: ColType) => t !== 'bool';

/** The tables and the statements that create and fill them (and a few that may fail on both engines). */
export function schema(r: Rand): { tables: Table[]; setup: string[] } {
  const tables: Table[] = [];
  const setup: string[] = [];
  const count = r.int(2, 4);
  for (let t = 0; t < count; t++) {
    const name = `t${t}`;
    const cols = [{ name: 'id', type: 'int4' as ColType }, ...r.some(COLUMNS, 2, 5).sort((a, b) => COLUMNS.indexOf(a) - COLUMNS.indexOf(b))];
    const pk = r.chance(0.8);
    setup.push(`create table ${name} (${cols.map((c) => `${c.name} ${c.type}${c.name === 'id' && pk ? ' primary key' : ''}`).join(', ')})`);
    const early = r.chance(0.5);
    const indexes = indexStatements(r, name, cols);
    if (early) setup.push(...indexes);
    // mostly small; sometimes large enough that joins pick hash tables and index lookups by size
    const rows = r.int(0, r.chance(0.2) ? (r.chance(0.3) ? 600 : 120) : 40);
    tables.push({ name, cols, pk, rows });
    const values: string[] = [];
    for (let k = 1; k <= rows; k++) {
      const id = pk ? k : r.chance(0.2) ? 'null' : String(r.int(1, rows));
      values.push(`(${[id, ...cols.slice(1).map((c) => literal(r, c.type, 0.15))].join(', ')})`);
    }
    // one row at a time when a unique index exists already: a duplicate fails alone on both engines
    if (values.length && early && indexes.some((s) => s.startsWith('create unique'))) for (const v of values) setup.push(`insert into ${name} values ${v}`);
    else if (values.length) setup.push(`insert into ${name} values ${values.join(', ')}`);
    if (!early) setup.push(...indexes);
    setup.push(`analyze ${name}`);
  }
  return { tables, setup };
}

/** Random CREATE INDEX statements of every kind for a table. */
export function indexStatements(r: Rand, table: string, cols: Col[]): string[] {
  const out: string[] = [];
  const data = cols.slice(1);
  const options = () => `${r.pick(['', '', ' desc', ' asc'])}${r.pick(['', '', ' nulls first', ' nulls last'])}`;
  for (let k = r.int(0, 4); k > 0; k--) {
    const c = r.pick(data);
    switch (r.int(0, 5)) {
      case 0: case 1: out.push(`create index on ${table} (${c.name}${options()})`); break;
      case 2: {
        const [a, b] = r.some(data, 2, 2);
        if (a && b) out.push(`create index on ${table} (${a.name}${options()}, ${b.name}${options()})`);
        break;
      }
      case 3: out.push(`create unique index on ${table} (${c.name})`); break;
      case 4: {
        const e = c.type === 'text' ? `lower(${c.name})` : isNumeric(c.type) ? `(${c.name} / 2)` : `(${c.name} is null)`;
        out.push(`create index on ${table} (${e})`);
        break;
      }
      default: {
        const w = r.pick(data);
        const pred = r.chance(0.5) ? `${w.name} is not null` : isNumeric(w.type) ? `${w.name} > ${literal(r, w.type)}` : `${w.name} is null`;
        out.push(`create index on ${table} (${c.name}) where ${pred}`);
      }
    }
  }
  return out;
}

/** Random UPDATE and DELETE statements over the tables (the same text runs on both engines). */
export function writes(r: Rand, tables: Table[], count: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const t = r.pick(tables);
    const c = r.pick(t.cols.slice(1));
    const w = r.pick(t.cols);
    const cond = `${w.name} ${r.pick(['=', '<', '>=', 'is null', 'is not null'])}`;
    const where = cond.endsWith('null') ? cond : `${cond} ${literal(r, w.type)}`;
    if (r.chance(0.3)) out.push(`delete from ${t.name} where ${where}`);
    else out.push(`update ${t.name} set ${c.name} = ${literal(r, c.type, 0.2)} where ${where}`);
    if (r.chance(0.2)) out.push(`insert into ${t.name} values (${[String(1000 + k), ...t.cols.slice(1).map((x) => literal(r, x.type, 0.2))].join(', ')})`);
  }
  return out;
}
