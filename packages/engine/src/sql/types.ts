/**
 * SQL types and runtime values. A value is a plain JS value chosen so it survives structured
 * cloning: int2/int4 and floats are numbers, int8 is a number while safe and a bigint beyond
 * (int8.ts), numeric is a Numeric (numeric.ts; results carry its text), text is string, boolean is
 * boolean, timestamptz/timestamp/date are Date (types/timestamp.ts), time a Time (types/time.ts), timetz a TimeTz, json/jsonb are the parsed JSON value, bytea is
 * Uint8Array, "char" its output text (types/char.ts), uuid is its canonical lowercase text, interval an Interval (types/interval.ts), oid a number, regclass a RegClass (types/oid.ts),
 * arrays JS arrays of their elements (types/array.ts), SQL NULL is null.
 */
export type BaseType =
  | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric'
  | 'text' | 'varchar' | 'name' | 'bpchar' | 'char' | 'bool'
  | 'timestamptz' | 'timestamp' | 'date' | 'time' | 'timetz'
  | 'json' | 'jsonb' | 'bytea' | 'uuid'
  | 'interval'
  | 'jsonpath'
  | 'regtype'
  | 'oid' | 'regclass'
  | 'unknown';

/** A one-or-more-dimensional array of a base type (types/array.ts): `int4[]` is PostgreSQL's _int4. */
export type ArrayType = `${Exclude<BaseType, 'unknown'>}[]`;

/** An enum type (types/enum.ts): its oid, name and labels are spelled in the type itself. */
export type EnumType = `enum:${string}`;

/** A row value (types/record.ts): `ROW(a, b)`, a whole-row reference `t`; each value carries its fields' types. */
export type RecordType = 'record';

/** A composite type (sql/composite/): CREATE TYPE … AS (…) or a table's row type; its oid, name and fields are spelled in the type. */
export type CompositeType = `comp:${string}`;

export type SqlType = BaseType | ArrayType | EnumType | RecordType | CompositeType;

export type Value = unknown;

/** PostgreSQL type OIDs, reported as `fields[].dataTypeID`. */
const BASE_OID: Record<BaseType, number> = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, json: 114, float4: 700, float8: 701,
  varchar: 1043, bpchar: 1042, date: 1082, time: 1083, timetz: 1266, timestamp: 1114, timestamptz: 1184, numeric: 1700, jsonb: 3802, unknown: 705,
  uuid: 2950, interval: 1186, jsonpath: 4072, regtype: 2206, oid: 26, regclass: 2205,
};

/** The array type OID of each element type (pg_type.typarray). */
const ARRAY_OID: Record<ArrayType, number> = {
  'bool[]': 1000, 'bytea[]': 1001, 'char[]': 1002, 'name[]': 1003, 'int8[]': 1016, 'int2[]': 1005, 'int4[]': 1007, 'text[]': 1009, 'json[]': 199,
  'float4[]': 1021, 'float8[]': 1022, 'varchar[]': 1015, 'bpchar[]': 1014, 'date[]': 1182, 'time[]': 1183, 'timetz[]': 1270, 'timestamp[]': 1115, 'timestamptz[]': 1185,
  'numeric[]': 1231, 'jsonb[]': 3807, 'uuid[]': 2951, 'interval[]': 1187, 'jsonpath[]': 4073, 'regtype[]': 2211, 'oid[]': 1028, 'regclass[]': 2210,
};

/** An enum or composite type's own oid and name, read from its spelling (see types/enum.ts, composite/type.ts). */
function enumField(t: string, i: 0 | 1): number | string | undefined {
  if (t.startsWith('enum:')) return (JSON.parse(t.slice(5)) as [number, string])[i];
  if (!t.startsWith('comp:')) return undefined;
  // an array of a composite: [oid, name, fields, array oid] → its array OID, `name[]`
  if (t.endsWith('[]')) {
    const spelled = JSON.parse(t.slice(5, -2)) as [number, string, unknown, number];
    return i === 0 ? spelled[3] : `${spelled[1]}[]`;
  }
  return (JSON.parse(t.slice(5)) as [number, string])[i];
}

function withEnums<V>(base: Record<string, V>, i: 0 | 1): Record<SqlType, V> {
  return new Proxy(base, { get: (o, k) => (typeof k === 'string' && !(k in o) ? enumField(k, i) : o[k as string]) }) as Record<SqlType, V>;
}

export const TYPE_OID: Record<SqlType, number> = withEnums<number>({ ...BASE_OID, ...ARRAY_OID, record: 2249 }, 0);

/** Names as `information_schema.columns.data_type` and error messages spell them. */
const BASE_NAME: Record<BaseType, string> = {
  bool: 'boolean', bytea: 'bytea', char: '"char"', name: 'name', int8: 'bigint', int2: 'smallint', int4: 'integer', text: 'text',
  json: 'json', float4: 'real', float8: 'double precision', varchar: 'character varying', bpchar: 'character', date: 'date', time: 'time without time zone', timetz: 'time with time zone',
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', numeric: 'numeric',
  jsonb: 'jsonb', unknown: 'unknown', uuid: 'uuid', interval: 'interval', jsonpath: 'jsonpath', regtype: 'regtype', oid: 'oid', regclass: 'regclass',
};

export const TYPE_NAME: Record<SqlType, string> = withEnums<string>({
  ...BASE_NAME,
  ...(Object.fromEntries(Object.keys(ARRAY_OID).map((t) => [t, `${BASE_NAME[t.slice(0, -2) as BaseType]}[]`])) as Record<ArrayType, string>),
  record: 'record',
}, 1);
