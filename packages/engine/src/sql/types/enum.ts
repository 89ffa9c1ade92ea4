/**
 * Enum types (CREATE TYPE … AS ENUM). A value is its label (a string, as PGlite returns it); the
 * SqlType of an enum names the type and carries its labels in declaration order
 * (`enum:[oid,"mood",["sad","ok"]]`), so comparators, casts and messages need no catalog lookup
 * and a column's type says everything a standby or a checkpoint needs. ALTER TYPE … ADD VALUE
 * gives the type a new SqlType and rewrites the definitions of the tables that use it.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { EnumDef, TypeDef } from '../../catalog/types.ts';
import type { Value } from '../types.ts';

export type EnumType = `enum:${string}`;

export const isEnumType = (t: string): t is EnumType => t.startsWith('enum:');

export function enumType(def: EnumDef): EnumType {
  return `enum:${JSON.stringify([def.oid, def.name, def.labels])}`;
}

interface Parsed { oid: number; name: string; labels: string[]; rank: Map<string, number> }
const parsed = new Map<string, Parsed>();

export function enumOf(t: EnumType): Parsed {
  let p = parsed.get(t);
  if (!p) {
    const [oid, name, labels] = JSON.parse(t.slice(5)) as [number, string, string[]];
    p = { oid, name, labels, rank: new Map(labels.map((l, i) => [l, i])) };
    parsed.set(t, p);
  }
  return p;
}

/** enum_in: the label itself, or 22P02 naming the type. */
export function parseEnum(text: string, t: EnumType): string {
  const e = enumOf(t);
  if (!e.rank.has(text)) throw new SqlError(SQLSTATE.invalid_text_representation, `invalid input value for enum ${e.name}: "${text}"`);
  return text;
}

/** Labels order by their place in the declaration (ADD VALUE BEFORE/AFTER included), not alphabetically. */
export function enumComparator(t: EnumType): (a: Value, b: Value) => number {
  const { rank } = enumOf(t);
  return (a, b) => rank.get(a as string)! - rank.get(b as string)!;
}

export const isEnumDef = (d: TypeDef): d is EnumDef => 'labels' in d;

/**
 * The user types (enums and composites) of the state being planned. Planning is synchronous, so the planner sets this for
 * the duration of one statement's compilation and type names resolve against it.
 */
let planning: { types: ReadonlyMap<number, TypeDef>; names: ReadonlyMap<string, number> } | undefined;

export function withEnumTypes<T>(types: ReadonlyMap<number, TypeDef>, names: ReadonlyMap<string, number>, plan: () => T): T {
  const saved = planning;
  planning = { types, names };
  try {
    return plan();
  } finally {
    planning = saved;
  }
}

/** The enum type named `name` in the catalog being planned against, if there is one. */
export function lookupEnumType(name: string): EnumType | undefined {
  const def = lookupUserType(name);
  return def && isEnumDef(def) ? enumType(def) : undefined;
}

/** The CREATE TYPE type (enum or composite) named `name` in the catalog being planned against. */
export function lookupUserType(name: string): TypeDef | undefined {
  const oid = planning?.names.get(name);
  return oid === undefined ? undefined : planning!.types.get(oid);
}
