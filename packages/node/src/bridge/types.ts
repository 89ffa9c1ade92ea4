/**
 * PostgreSQL column types → walrtc column types, and the checks that keep every value exact.
 * Values travel as PostgreSQL's text form (pgoutput text mode, and the initial copy selects
 * `col::text`) and walrtc parses them with the same input syntax, so int8, numeric, uuid, bytea
 * and float keep their exact value, timestamps their microseconds. Where walrtc's representation
 * is narrower — jsonb numbers are doubles — a value that would change is refused (the bridge
 * stops) instead of being rounded: never a silent wrong answer.
 */
import { BridgeError } from './errors.ts';

interface Mapped {
  /** walrtc column type in DDL. */
  ddl: (typmod: number) => string;
  /** A reason to refuse this text value, or undefined when it maps exactly. */
  check?: (text: string) => string | undefined;
}

/** A JSON number with more than 15 significant digits may not survive as a double. */
const inexactJsonNumber = (text: string): string | undefined => {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g)) {
    const num = m[1];
    if (!num) continue;
    const digits = num.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
    const significant = num.includes('.') ? digits.replace(/0+$/, '') : digits.replace(/0+$/, '');
    if (significant.length > 15) return `its JSON number ${num} has more than 15 significant digits, and walrtc keeps JSON numbers as doubles`;
  }
  return undefined;
};

const numericDdl = (typmod: number) => {
  if (typmod < 4) return 'numeric';
  const t = typmod - 4;
  return `numeric(${(t >> 16) & 0xffff}, ${t & 0xffff})`;
};

/** By type OID (pg_type.oid of the built-in types). */
const TYPES = new Map<number, Mapped>([
  [16, { ddl: () => 'boolean' }],
  [21, { ddl: () => 'smallint' }],
  [23, { ddl: () => 'integer' }],
  [20, { ddl: () => 'bigint' }],
  [1700, { ddl: numericDdl }],
  [700, { ddl: () => 'real' }],
  [701, { ddl: () => 'double precision' }],
  [25, { ddl: () => 'text' }],
  [1043, { ddl: (typmod) => (typmod >= 4 ? `varchar(${typmod - 4})` : 'varchar') }],
  [1082, { ddl: () => 'date' }],
  [1114, { ddl: (typmod) => (typmod >= 0 ? `timestamp(${typmod})` : 'timestamp') }],
  [1184, { ddl: (typmod) => (typmod >= 0 ? `timestamptz(${typmod})` : 'timestamptz') }],
  [1083, { ddl: (typmod) => (typmod >= 0 ? `time(${typmod})` : 'time') }],
  [1266, { ddl: (typmod) => (typmod >= 0 ? `timetz(${typmod})` : 'timetz') }],
  [114, { ddl: () => 'json', check: inexactJsonNumber }],
  [3802, { ddl: () => 'jsonb', check: inexactJsonNumber }],
  [2950, { ddl: () => 'uuid' }],
  [17, { ddl: () => 'bytea' }],
]);

/**
 * Array types (by their OID) whose element walrtc holds exactly, with the element type's OID. The
 * value travels as PostgreSQL's array text (`{1,NULL,"a b"}`), which walrtc reads with the same
 * syntax. Arrays of json(b) and bytea are not mapped: their elements would need the checks above
 * element by element.
 */
const ARRAYS = new Map<number, number>([
  [1000, 16], [1005, 21], [1007, 23], [1016, 20], [1231, 1700], [1021, 700], [1022, 701],
  [1009, 25], [1015, 1043], [2951, 2950], [1182, 1082], [1115, 1114], [1185, 1184], [1183, 1083], [1270, 1266],
]);
for (const [array, element] of ARRAYS) {
  const inner = TYPES.get(element)!;
  TYPES.set(array, { ddl: (typmod) => `${inner.ddl(typmod)}[]` });
}

export interface PgColumn {
  name: string;
  typeOid: number;
  typmod: number;
  /** pg_type.typname and typcategory, for messages. */
  typeName: string;
  category: string;
  notNull: boolean;
}

/** walrtc DDL for a column, or a BridgeError naming the table, column and type walrtc cannot hold exactly. */
export function columnDdl(table: string, c: PgColumn): string {
  const mapped = TYPES.get(c.typeOid);
  if (!mapped) {
    const what = c.category === 'A' ? `an array type (${c.typeName}) whose elements the bridge does not map exactly` : `type ${c.typeName}, which walrtc does not support`;
    throw new BridgeError('0A000', `column "${c.name}" of table "${table}" has ${what}`, 'Publish only tables whose columns walrtc supports, or leave the column out with a column list: CREATE PUBLICATION … FOR TABLE t (a, b).');
  }
  return `${quoteIdent(c.name)} ${mapped.ddl(c.typmod)}${c.notNull ? ' not null' : ''}`;
}

/** Refuse a value walrtc would not keep exactly. */
export function checkValue(table: string, column: string, typeOid: number, text: string): void {
  const why = TYPES.get(typeOid)?.check?.(text);
  if (why) throw new BridgeError('22003', `value ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} of column "${column}" in table "${table}" cannot be represented exactly: ${why}`);
}

/**
 * The parameter for a value: integers as numbers or bigints (exact: parsed from their text), the
 * rest as the text walrtc parses with the type's input syntax.
 */
export function toParam(typeOid: number, text: string): string | number | bigint | Date {
  if (typeOid === 21 || typeOid === 23) return Number(text);
  if (typeOid === 20) return BigInt(text);
  if (typeOid === 1184) {
    // the session's TimeZone is UTC: PostgreSQL prints every timestamptz with +00; microseconds,
    // BC, infinity and odd years stay text, which walrtc parses exactly
    const m = /^([1-9]\d{3})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?\+00$/.exec(text);
    if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, Number((m[7] ?? '').padEnd(3, '0'))));
  }
  return text;
}

/** Always quoted: PostgreSQL's names arrive exactly as stored, reserved words and mixed case included. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
