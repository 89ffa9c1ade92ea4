/**
 * jsonpath input (PostgreSQL's jsonpath_scan.l and jsonpath_gram.y): the text of a path to its
 * items, each with the accessor that follows it in `next` as PostgreSQL links them, and the
 * parse-time checks of jsonpath_in (`@` only in filters, `last` only in subscripts).
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { Numeric } from '../numeric.ts';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type MethodName = 'type' | 'size' | 'double' | 'ceiling' | 'floor' | 'abs' | 'keyvalue';

export type Item = { next?: Item } & (
  | { t: 'root' } | { t: 'current' } | { t: 'last' } | { t: 'var'; name: string }
  | { t: 'null' } | { t: 'bool'; v: boolean } | { t: 'num'; v: Numeric } | { t: 'str'; v: string }
  | { t: 'key'; name: string } | { t: 'anykey' } | { t: 'anyarray' }
  | { t: 'index'; subs: { from: Item; to?: Item }[] }
  | { t: 'any'; first: number; last: number }
  | { t: 'filter'; pred: Item }
  | { t: 'method'; name: MethodName }
  | { t: 'datetime'; template?: string }
  | { t: 'and' | 'or'; l: Item; r: Item }
  | { t: 'cmp'; op: CompareOp; l: Item; r: Item }
  | { t: 'arith'; op: ArithOp; l: Item; r: Item }
  | { t: 'unary'; op: '+' | '-'; arg: Item }
  | { t: 'not' | 'isunknown' | 'exists'; arg: Item }
  | { t: 'startswith'; l: Item; r: Item }
  | { t: 'likeregex'; arg: Item; pattern: string; flags: string }
);

export interface JsonPath { strict: boolean; root: Item }

/** PostgreSQL's UINT32_MAX bound of `.**{… to last}`. */
export const LAST_LEVEL = 0xffffffff;

type Tok = { k: 'str' | 'var' | 'num' | 'id' | 'op' | 'end'; v: string; quoted?: boolean };

const syntax = (message: string): SqlError => new SqlError(SQLSTATE.syntax_error, message);

const PREDICATES = new Set(['and', 'or', 'cmp', 'not', 'isunknown', 'exists', 'startswith', 'likeregex']);
const METHODS = new Set(['type', 'size', 'double', 'ceiling', 'floor', 'abs', 'keyvalue']);

function unescape(s: string, at: number): [string, number] {
  let out = '';
  let i = at + 1;
  for (; i < s.length && s[i] !== '"'; i++) {
    if (s[i] !== '\\') { out += s[i]; continue; }
    const c = s[++i];
    switch (c) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'u': {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(s.slice(i + 1));
        if (!m) throw syntax('invalid Unicode escape sequence at or near "\\u" of jsonpath input');
        const code = parseInt(m[1] ?? m[2]!, 16);
        if (code === 0) throw new SqlError('22P05', 'unsupported Unicode escape sequence');
        out += String.fromCodePoint(code);
        i += m[0].length;
        break;
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(s.slice(i + 1));
        if (!m) throw syntax('invalid hexadecimal character sequence at or near "\\x" of jsonpath input');
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 2;
        break;
      }
      case undefined: throw syntax('unexpected end of quoted string at or near "\\" of jsonpath input');
      default: out += c;
    }
  }
  if (i >= s.length) throw syntax(`unterminated quoted string at or near "${s.slice(at)}" of jsonpath input`);
  return [out, i + 1];
}

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      const [v, end] = unescape(s, i);
      toks.push({ k: 'str', v });
      i = end;
      continue;
    }
    if (c === '$') {
      if (s[i + 1] === '"') {
        const [v, end] = unescape(s, i + 1);
        toks.push({ k: 'var', v, quoted: true });
        i = end;
        continue;
      }
      const m = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(s.slice(i + 1));
      if (m) {
        toks.push({ k: 'var', v: m[0] });
        i += 1 + m[0].length;
      } else {
        toks.push({ k: 'op', v: '$' });
        i++;
      }
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(i));
    if (num && /\d/.test(num[0][0] === '.' ? num[0][1]! : num[0][0]!)) {
      let text = num[0];
      // `(1).a` is an accessor on a number, `1.a` junk after one
      if (/[A-Za-z_]/.test(s[i + text.length] ?? '')) {
        throw syntax(`trailing junk after numeric literal at or near "${text}${s[i + text.length]}" of jsonpath input`);
      }
      toks.push({ k: 'num', v: text });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(s.slice(i));
    if (id) {
      toks.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(?:\*\*|==|!=|<>|<=|>=|&&|\|\||[.*[\](){},?<>!+\-/%@=])/.exec(s.slice(i));
    if (!op) throw syntax(`syntax error at or near "${c}" of jsonpath input`);
    toks.push({ k: 'op', v: op[0] === '<>' ? '!=' : op[0] === '=' ? '==' : op[0] });
    i += op[0].length;
  }
  toks.push({ k: 'end', v: '' });
  return toks;
}

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok { return this.toks[Math.min(this.p + o, this.toks.length - 1)]!; }
  private isOp(v: string, o = 0): boolean { const t = this.peek(o); return t.k === 'op' && t.v === v; }
  private isId(v: string, o = 0): boolean { const t = this.peek(o); return t.k === 'id' && t.v.toLowerCase() === v; }
  private take(): Tok { return this.toks[this.p++]!; }

  fail(): never {
    const t = this.peek();
    if (t.k === 'end') throw syntax('syntax error at end of jsonpath input');
    const text = t.k === 'str' ? `"${t.v}` : t.k === 'var' ? `$${t.quoted ? `"${t.v}"` : t.v}` : t.v;
    throw syntax(`syntax error at or near "${text}" of jsonpath input`);
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail();
    this.p++;
  }

  path(): JsonPath {
    let strict = false;
    if (this.isId('strict') || this.isId('lax')) strict = this.take().v.toLowerCase() === 'strict';
    const root = this.or();
    if (this.peek().k !== 'end') this.fail();
    return { strict, root };
  }

  private or(): Item {
    let l = this.and();
    while (this.isOp('||')) { this.p++; l = { t: 'or', l: pred(l, this), r: pred(this.and(), this) }; }
    return l;
  }

  private and(): Item {
    let l = this.not();
    while (this.isOp('&&')) { this.p++; l = { t: 'and', l: pred(l, this), r: pred(this.not(), this) }; }
    return l;
  }

  private not(): Item {
    if (this.isOp('!')) {
      this.p++;
      if (this.isId('exists')) return { t: 'not', arg: this.primary() };
      this.expectOp('(');
      const arg = pred(this.or(), this);
      this.expectOp(')');
      return { t: 'not', arg };
    }
    return this.comparison();
  }

  private comparison(): Item {
    const l = this.additive();
    const t = this.peek();
    if (t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.p++;
      return { t: 'cmp', op: t.v as CompareOp, l, r: this.additive() };
    }
    if (this.isId('starts') && this.isId('with', 1)) {
      this.p += 2;
      const r = this.peek();
      if (r.k === 'str') { this.p++; return { t: 'startswith', l, r: { t: 'str', v: r.v } }; }
      if (r.k === 'var') { this.p++; return { t: 'startswith', l, r: { t: 'var', name: r.v } }; }
      this.fail();
    }
    if (this.isId('like_regex')) {
      this.p++;
      const pat = this.take();
      if (pat.k !== 'str') { this.p--; this.fail(); }
      let flags = '';
      if (this.isId('flag')) {
        this.p++;
        const f = this.take();
        if (f.k !== 'str') { this.p--; this.fail(); }
        flags = f.v;
      }
      return { t: 'likeregex', arg: l, pattern: pat.v, flags: regexFlags(flags) };
    }
    return l;
  }

  private additive(): Item {
    let l = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.take().v as ArithOp;
      l = { t: 'arith', op, l, r: this.multiplicative() };
    }
    return l;
  }

  private multiplicative(): Item {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.take().v as ArithOp;
      l = { t: 'arith', op, l, r: this.unary() };
    }
    return l;
  }

  private unary(): Item {
    if (this.isOp('+') || this.isOp('-')) {
      const op = this.take().v as '+' | '-';
      const arg = this.unary();
      // makeItemUnary: a sign on a plain number is folded into it
      if (arg.t === 'num' && !arg.next) return op === '-' ? { t: 'num', v: arg.v.neg() } : arg;
      return { t: 'unary', op, arg };
    }
    return this.accessors(this.primary());
  }

  private primary(): Item {
    const t = this.take();
    switch (t.k) {
      case 'str': return { t: 'str', v: t.v };
      case 'var': return { t: 'var', name: t.v };
      case 'num': {
        const n = Numeric.parse(t.v);
        if (!n) { this.p--; this.fail(); }
        return { t: 'num', v: n };
      }
      case 'op':
        if (t.v === '$') return { t: 'root' };
        if (t.v === '@') return { t: 'current' };
        if (t.v === '(') {
          const inner = this.or();
          this.expectOp(')');
          if (this.isId('is') && this.isId('unknown', 1)) {
            this.p += 2;
            return { t: 'isunknown', arg: pred(inner, this) };
          }
          return inner;
        }
        break;
      case 'id': {
        const w = t.v.toLowerCase();
        if (w === 'null' || w === 'true' || w === 'false' || w === 'last' || w === 'exists') {
          if (w === 'null') return { t: 'null' };
          if (w === 'last') return { t: 'last' };
          if (w === 'exists') {
            this.expectOp('(');
            const arg = this.or();
            this.expectOp(')');
            return { t: 'exists', arg };
          }
          return { t: 'bool', v: w === 'true' };
        }
      }
    }
    this.p--;
    return this.fail();
  }

  /** The accessors after a primary, linked through `next` onto the last one. */
  private accessors(head: Item): Item {
    let tail = head;
    const link = (it: Item): void => {
      // a parenthesised operation followed by accessors: PostgreSQL links them after it as well
      let end = tail;
      while (end.next) end = end.next;
      end.next = it;
      tail = it;
    };
    for (;;) {
      if (this.isOp('.')) {
        this.p++;
        const t = this.take();
        if (t.k === 'op' && t.v === '*') { link({ t: 'anykey' }); continue; }
        if (t.k === 'op' && t.v === '**') { link(this.anyBounds()); continue; }
        if (t.k === 'str') { link({ t: 'key', name: t.v }); continue; }
        if (t.k === 'id') {
          if (this.isOp('(')) {
            const m = t.v.toLowerCase();
            if (m === 'datetime') {
              this.p++;
              const tpl = this.peek().k === 'str' ? this.take().v : undefined;
              this.expectOp(')');
              link(tpl === undefined ? { t: 'datetime' } : { t: 'datetime', template: tpl });
              continue;
            }
            if (!METHODS.has(m)) { this.p--; this.fail(); }
            this.p++;
            this.expectOp(')');
            link({ t: 'method', name: m as MethodName });
            continue;
          }
          link({ t: 'key', name: t.v });
          continue;
        }
        this.p--;
        this.fail();
      }
      if (this.isOp('[')) {
        this.p++;
        if (this.isOp('*') && this.isOp(']', 1)) {
          this.p += 2;
          link({ t: 'anyarray' });
          continue;
        }
        const subs: { from: Item; to?: Item }[] = [];
        for (;;) {
          const from = this.or();
          const to = this.isId('to') ? (this.p++, this.or()) : undefined;
          subs.push(to ? { from, to } : { from });
          if (this.isOp(',')) { this.p++; continue; }
          this.expectOp(']');
          break;
        }
        link({ t: 'index', subs });
        continue;
      }
      if (this.isOp('?')) {
        this.p++;
        this.expectOp('(');
        const p = pred(this.or(), this);
        this.expectOp(')');
        link({ t: 'filter', pred: p });
        continue;
      }
      return head;
    }
  }

  private anyBounds(): Item {
    if (!this.isOp('{')) return { t: 'any', first: 0, last: LAST_LEVEL };
    this.p++;
    const level = (): number => {
      if (this.isId('last')) { this.p++; return LAST_LEVEL; }
      const t = this.take();
      if (t.k !== 'num' || !/^\d+$/.test(t.v)) { this.p--; this.fail(); }
      return Number(t.v);
    };
    const first = level();
    const last = this.isId('to') ? (this.p++, level()) : first;
    this.expectOp('}');
    return { t: 'any', first, last };
  }
}

function pred(it: Item, p: Parser): Item {
  if (!PREDICATES.has(it.t)) p.fail();
  return it;
}

function regexFlags(f: string): string {
  let out = '';
  for (const c of f) {
    if (!'ismxq'.includes(c)) {
      throw new SqlError(SQLSTATE.syntax_error, `invalid input syntax for type jsonpath`, { detail: `Unrecognized flag character "${c}" in LIKE_REGEX predicate.` });
    }
    if (!out.includes(c)) out += c;
  }
  // PostgreSQL prints them in this order
  return ['i', 's', 'm', 'x', 'q'].filter((c) => out.includes(c)).join('');
}

/** jsonpath_in's checks after parsing: `@` only inside filters, `last` only inside subscripts. */
function check(it: Item | undefined, inFilter: boolean, inSubscript: boolean): void {
  for (let x = it; x; x = x.next) {
    switch (x.t) {
      case 'current': if (!inFilter) throw syntax('@ is not allowed in root expressions'); break;
      case 'last': if (!inSubscript) throw syntax('LAST is allowed only in array subscripts'); break;
      case 'filter': check(x.pred, true, inSubscript); break;
      case 'index': for (const s of x.subs) { check(s.from, inFilter, true); check(s.to, inFilter, true); } break;
      case 'and': case 'or': case 'cmp': case 'arith': case 'startswith': check(x.l, inFilter, inSubscript); check(x.r, inFilter, inSubscript); break;
      case 'unary': case 'not': case 'isunknown': case 'exists': check(x.arg, inFilter, inSubscript); break;
      case 'likeregex': check(x.arg, inFilter, inSubscript); break;
      default: break;
    }
  }
}

const cache = new Map<string, JsonPath>();

/** Parse jsonpath text (cached: a path is parsed once per text). */
export function parseJsonPath(text: string): JsonPath {
  const hit = cache.get(text);
  if (hit) return hit;
  if (text.trim() === '') throw new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type jsonpath: "${text}"`);
  const path = new Parser(tokenize(text)).path();
  check(path.root, false, false);
  if (cache.size > 1000) cache.clear();
  cache.set(text, path);
  return path;
}
