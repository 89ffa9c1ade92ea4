/**
 * Further set-returning functions of one result column, planned like json(b)_array_elements in
 * FROM and in the select list (srf.ts, srf-target.ts): jsonb_path_query, regexp_matches and string_to_table.
 */
import type { Expr } from '../compiled.ts';
import { jsonPathQuerySet } from '../jsonpath/functions.ts';
import type { JsonSet } from './json-sets.ts';
import { regexpMatchesSet } from './regexp.ts';
import { stringToTableSet } from './string-to-table.ts';

export const RECORD_SETS: Record<string, (name: string, args: Expr[]) => JsonSet> = {
  jsonb_path_query: jsonPathQuerySet,
  regexp_matches: regexpMatchesSet,
  string_to_table: stringToTableSet,
};
