/**
 * json (unlike jsonb) keeps its input text: values of type json are that text, validated on input,
 * and `->`/`->>` return the member's text exactly as written (spacing, key order, duplicate keys;
 * the last of duplicate keys wins, as in PostgreSQL). jsonb values stay parsed.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Value } from './types.ts';

/** json input: the text itself, once it parses. */
export function jsonInput(text: string): string {
  try {
    JSON.parse(text);
  } catch {
    throw new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json');
  }
  return text;
}

/** A json value's text (values written before json kept its text are parsed JSON). */
export function jsonText(v: Value): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A json value as the client receives it (PGlite parses json). */
export function jsonParsed(v: Value): Value {
  return typeof v === 'string' ? (JSON.parse(v) as Value) : v;
}

/** The members of a json object or array in their order (duplicate keys kept), each value as its text; undefined for a scalar. */
export function jsonMembers(text: string): { kind: 'object' | 'array'; items: { key?: string; text: string }[] } | undefined {
  const s = new Scanner(text);
  s.ws();
  const open = text[s.i];
  if (open !== '[' && open !== '{') return undefined;
  s.i++;
  const items: { key?: string; text: string }[] = [];
  s.ws();
  if (text[s.i] === (open === '[' ? ']' : '}')) return { kind: open === '[' ? 'array' : 'object', items };
  for (;;) {
    s.ws();
    let k: string | undefined;
    if (open === '{') {
      const ks = s.i;
      s.skipValue();
      k = JSON.parse(text.slice(ks, s.i)) as string;
      s.ws();
      s.i++; // ':'
      s.ws();
    }
    const start = s.i;
    s.skipValue();
    items.push({ key: k, text: text.slice(start, s.i) });
    s.ws();
    if (text[s.i] === ',') { s.i++; continue; }
    break;
  }
  return { kind: open === '[' ? 'array' : 'object', items };
}

/** The text of a member (object key or array index, negative from the end), or undefined. */
export function jsonMember(text: string, key: string | number): string | undefined {
  const m = jsonMembers(text);
  if (!m || m.kind !== (typeof key === 'number' ? 'array' : 'object')) return undefined;
  let found: { text: string } | undefined;
  if (typeof key === 'number') found = m.items[key < 0 ? m.items.length + key : key];
  else for (const it of m.items) if (it.key === key) found = it;
  return found?.text;
}

/** `->>`: a member's text, a string member unescaped, JSON null as SQL NULL. */
export function jsonMemberText(member: string): string | null {
  if (member === 'null') return null;
  return member.startsWith('"') ? (JSON.parse(member) as string) : member;
}

/** Skips over well-formed JSON (the text was validated on input). */
class Scanner {
  i = 0;
  constructor(private readonly t: string) {}

  ws(): void {
    while (this.i < this.t.length && ' \t\n\r'.includes(this.t[this.i]!)) this.i++;
  }

  skipValue(): void {
    const t = this.t;
    const c = t[this.i];
    if (c === '"') {
      this.i++;
      while (t[this.i] !== '"') this.i += t[this.i] === '\\' ? 2 : 1;
      this.i++;
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      do {
        const d = t[this.i];
        if (d === '"') { this.skipValue(); continue; }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') depth--;
        this.i++;
      } while (depth > 0);
      return;
    }
    while (this.i < t.length && !',}] \t\n\r'.includes(t[this.i]!)) this.i++;
  }
}

/** json and jsonpath have no equality or ordering operator (jsonb has both): DISTINCT, GROUP BY, UNION and ORDER BY on them fail as in PostgreSQL. */
export function refuseJsonComparison(types: readonly string[], ordering = false): void {
  const t = types.find((x) => x === 'json' || x === 'jsonpath');
  if (!t) return;
  if (ordering) {
    throw new SqlError(SQLSTATE.undefined_function, `could not identify an ordering operator for type ${t}`, { hint: 'Use an explicit ordering operator or modify the query.' });
  }
  throw new SqlError(SQLSTATE.undefined_function, `could not identify an equality operator for type ${t}`);
}
