/**
 * array_agg until arrays are a type of their own: the values collected in input order and
 * returned in PostgreSQL's array text form (`{a,"b c",NULL}`), so `array_agg(quote_literal(…))`
 * reads as it does in psql. Typed as text; an array type replaces this.
 */
import type { Aggregate } from './aggregates.ts';
import type { Value } from './types.ts';
import { formatValue } from './values.ts';
import type { SqlType } from './types.ts';

function element(v: Value, type: SqlType): string {
  if (v === null) return 'NULL';
  const text = formatValue(v, type) ?? '';
  return text === '' || /[{}",\\\s]/.test(text) || text.toUpperCase() === 'NULL' ? `"${text.replace(/(["\\])/g, '\\$1')}"` : text;
}

export function arrayAgg(argType: SqlType): Aggregate {
  return {
    type: 'text',
    init: () => ({ items: [] as string[] }),
    step: (s, v) => {
      (s as { items: string[] }).items.push(element(v, argType));
      return s;
    },
    final: (s) => ((s as { items: string[] }).items.length ? `{${(s as { items: string[] }).items.join(',')}}` : null),
  };
}
