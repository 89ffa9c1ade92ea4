/**
 * Sequence options (CREATE/ALTER SEQUENCE, identity columns): AS type, INCREMENT, MINVALUE,
 * MAXVALUE, START, RESTART, CACHE, [NO] CYCLE and OWNED BY read from the parser's DefElem list,
 * PostgreSQL's defaults for what is absent, and its checks (22023) of what does not fit.
 */
import type { DefElem, Node } from '@pgsql/types';
import type { SequenceDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { resolveTypeName } from '../cast.ts';
import { canonical } from '../int8.ts';
import { strings } from '../names.ts';
import { TYPE_NAME } from '../types.ts';

type SeqType = 'int2' | 'int4' | 'int8';
const RANGE: Record<SeqType, [bigint, bigint]> = {
  int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** A sequence's parameters with every default filled in, as bigints. */
export interface SequenceParams {
  type: SeqType;
  increment: bigint;
  min: bigint;
  max: bigint;
  start: bigint;
  cache: bigint;
  cycle: boolean;
}

export function params(def: SequenceDef): SequenceParams {
  const type = def.type ?? 'int8';
  const increment = BigInt(def.increment ?? 1);
  const [lo, hi] = RANGE[type];
  const min = def.min !== undefined ? BigInt(def.min) : increment > 0n ? 1n : lo;
  const max = def.max !== undefined ? BigInt(def.max) : increment > 0n ? hi : -1n;
  const start = def.start !== undefined ? BigInt(def.start) : increment > 0n ? min : max;
  return { type, increment, min, max, start, cache: BigInt(def.cache ?? 1), cycle: def.cycle ?? false };
}

export interface ParsedOptions {
  def: Partial<SequenceDef>;
  /** Options given as NO MINVALUE / NO MAXVALUE: back to the default. */
  reset: Set<'min' | 'max'>;
  /** RESTART (true: at START) or RESTART WITH n. */
  restart?: bigint | true;
  /** OWNED BY table.column, or null for OWNED BY NONE. */
  ownedBy?: string[] | null;
  /** An identity column's SEQUENCE NAME (its schema-qualified parts). */
  sequenceName?: string[];
}

function integer(e: DefElem): bigint {
  const arg = e.arg as Node | undefined;
  if (arg && 'Integer' in arg) return BigInt(arg.Integer.ival ?? 0);
  if (arg && 'Float' in arg) {
    const text = arg.Float.fval ?? '';
    if (/^-?\d+$/.test(text)) return BigInt(text);
  }
  throw new SqlError(SQLSTATE.syntax_error, `${e.defname} requires a numeric value`);
}

export function parseOptions(options: readonly Node[] | undefined, forAlter: boolean): ParsedOptions {
  const out: ParsedOptions = { def: {}, reset: new Set() };
  const seen = new Set<string>();
  for (const n of options ?? []) {
    const e = (n as { DefElem: DefElem }).DefElem;
    const name = e.defname!;
    if (seen.has(name)) throw new SqlError(SQLSTATE.syntax_error, 'conflicting or redundant options');
    seen.add(name);
    switch (name) {
      case 'as': {
        const { type } = resolveTypeName((e.arg as { TypeName: Parameters<typeof resolveTypeName>[0] }).TypeName);
        if (type !== 'int2' && type !== 'int4' && type !== 'int8') throw new SqlError(SQLSTATE.invalid_parameter_value, 'sequence type must be smallint, integer, or bigint');
        out.def.type = type;
        break;
      }
      case 'increment': out.def.increment = canonical(integer(e)); break;
      case 'minvalue': if (e.arg) out.def.min = canonical(integer(e)); else out.reset.add('min'); break;
      case 'maxvalue': if (e.arg) out.def.max = canonical(integer(e)); else out.reset.add('max'); break;
      case 'start': out.def.start = canonical(integer(e)); break;
      case 'restart':
        if (!forAlter) throw new SqlError(SQLSTATE.syntax_error, 'RESTART option is not allowed in CREATE SEQUENCE');
        out.restart = e.arg ? integer(e) : true;
        break;
      case 'cache': out.def.cache = canonical(integer(e)); break;
      case 'cycle': out.def.cycle = !!(e.arg as { Boolean?: { boolval?: boolean } } | undefined)?.Boolean?.boolval; break;
      case 'owned_by': {
        const names = strings((e.arg as { List?: { items?: Node[] } } | undefined)?.List?.items ?? []);
        out.ownedBy = names.length === 1 && names[0]!.toLowerCase() === 'none' ? null : names;
        break;
      }
      case 'sequence_name': out.sequenceName = strings((e.arg as { List?: { items?: Node[] } } | undefined)?.List?.items ?? []); break;
      default: throw new SqlError(SQLSTATE.syntax_error, `option "${name}" not recognized`);
    }
  }
  return out;
}

/**
 * Merge options into a definition and check it as PostgreSQL's init_params does. `previous` is
 * the current definition for ALTER (its explicit bounds kept unless changed, and dropped when the
 * type changes and they were the old type's defaults).
 */
export function mergeOptions(base: SequenceDef, o: ParsedOptions, previous?: SequenceDef): SequenceDef {
  const def: SequenceDef = { ...base, ...o.def };
  if (previous && o.def.type && o.def.type !== (previous.type ?? 'int8')) {
    const old = params(previous);
    const [lo, hi] = RANGE[previous.type ?? 'int8'];
    if (o.def.min === undefined && old.min === lo) delete def.min;
    if (o.def.max === undefined && old.max === hi) delete def.max;
  }
  if (o.reset.has('min')) delete def.min;
  if (o.reset.has('max')) delete def.max;
  const p = params(def);
  const [lo, hi] = RANGE[p.type];
  const typeName = TYPE_NAME[p.type];
  if (p.increment === 0n) throw new SqlError(SQLSTATE.invalid_parameter_value, 'INCREMENT must not be zero');
  if (p.max < lo || p.max > hi) throw new SqlError(SQLSTATE.invalid_parameter_value, `MAXVALUE (${p.max}) is out of range for sequence data type ${typeName}`);
  if (p.min < lo || p.min > hi) throw new SqlError(SQLSTATE.invalid_parameter_value, `MINVALUE (${p.min}) is out of range for sequence data type ${typeName}`);
  if (p.min >= p.max) throw new SqlError(SQLSTATE.invalid_parameter_value, `MINVALUE (${p.min}) must be less than MAXVALUE (${p.max})`);
  if (p.start < p.min) throw new SqlError(SQLSTATE.invalid_parameter_value, `START value (${p.start}) cannot be less than MINVALUE (${p.min})`);
  if (p.start > p.max) throw new SqlError(SQLSTATE.invalid_parameter_value, `START value (${p.start}) cannot be greater than MAXVALUE (${p.max})`);
  if (typeof o.restart === 'bigint') {
    if (o.restart < p.min) throw new SqlError(SQLSTATE.invalid_parameter_value, `RESTART value (${o.restart}) cannot be less than MINVALUE (${p.min})`);
    if (o.restart > p.max) throw new SqlError(SQLSTATE.invalid_parameter_value, `RESTART value (${o.restart}) cannot be greater than MAXVALUE (${p.max})`);
  }
  if (p.cache < 1n) throw new SqlError(SQLSTATE.invalid_parameter_value, `CACHE (${p.cache}) must be greater than zero`);
  return def;
}
