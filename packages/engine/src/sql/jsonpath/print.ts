/**
 * jsonpath output (PostgreSQL's printJsonPathItem): the normalised text `'$.a'::jsonpath` prints
 * — keys quoted, operations parenthesised by priority, `strict ` kept, `lax` dropped.
 */
import { LAST_LEVEL, type Item, type JsonPath } from './parse.ts';

/** JSON string escaping as escape_json writes it. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: out += c < 0x20 ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out + '"';
}

function priority(it: Item): number {
  switch (it.t) {
    case 'or': return 0;
    case 'and': return 1;
    case 'cmp': case 'startswith': return 2;
    case 'arith': return it.op === '+' || it.op === '-' ? 3 : 4;
    case 'unary': return 5;
    default: return 6;
  }
}

function opName(it: Item): string {
  switch (it.t) {
    case 'or': return '||';
    case 'and': return '&&';
    case 'cmp': case 'arith': return it.op;
    case 'startswith': return 'starts with';
    default: return '';
  }
}

function level(n: number): string {
  return n === LAST_LEVEL ? 'last' : String(n);
}

function print(it: Item, inKey: boolean, brackets: boolean): string {
  let s: string;
  const sub = (x: Item): string => print(x, false, priority(x) <= priority(it));
  switch (it.t) {
    case 'null': s = 'null'; break;
    case 'str': s = quote(it.v); break;
    case 'num': s = it.next ? `(${it.v.toString()})` : it.v.toString(); break;
    case 'bool': s = it.v ? 'true' : 'false'; break;
    case 'and': case 'or': case 'cmp': case 'arith': case 'startswith':
      s = `${sub(it.l)} ${opName(it)} ${sub(it.r)}`;
      if (brackets) s = `(${s})`;
      break;
    case 'not': s = `!(${print(it.arg, false, false)})`; break;
    case 'isunknown': s = `(${print(it.arg, false, false)}) is unknown`; break;
    case 'unary':
      s = `${it.op}${sub(it.arg)}`;
      if (brackets) s = `(${s})`;
      break;
    case 'anyarray': s = '[*]'; break;
    case 'anykey': s = (inKey ? '.' : '') + '*'; break;
    case 'index':
      s = '[' + it.subs.map((x) => print(x.from, false, false) + (x.to ? ` to ${print(x.to, false, false)}` : '')).join(',') + ']';
      break;
    case 'any': {
      const b = it.first === 0 && it.last === LAST_LEVEL ? '**'
        : it.first === it.last ? `**{${level(it.first)}}`
          : `**{${level(it.first)} to ${level(it.last)}}`;
      s = (inKey ? '.' : '') + b;
      break;
    }
    case 'key': s = (inKey ? '.' : '') + quote(it.name); break;
    case 'current': s = '@'; break;
    case 'root': s = '$'; break;
    case 'var': s = '$' + quote(it.name); break;
    case 'filter': s = `?(${print(it.pred, false, false)})`; break;
    case 'exists': s = `exists (${print(it.arg, false, false)})`; break;
    case 'method': s = `.${it.name}()`; break;
    case 'datetime': s = `.datetime(${it.template === undefined ? '' : quote(it.template)})`; break;
    case 'last': s = 'last'; break;
    case 'likeregex':
      s = `${sub(it.arg)} like_regex ${quote(it.pattern)}${it.flags ? ` flag "${it.flags}"` : ''}`;
      if (brackets) s = `(${s})`;
      break;
  }
  return it.next ? s + print(it.next, true, true) : s;
}

export function printJsonPath(p: JsonPath): string {
  return (p.strict ? 'strict ' : '') + print(p.root, false, true);
}
