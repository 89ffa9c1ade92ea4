/**
 * Reads a psql script (PostgreSQL's regression files, src/test/regress/sql/<area>.sql) into the
 * statements psql would send, in order, as psql's own lexer (psqlscan.l) splits them: a `;`
 * ends a statement outside quotes ('…', E'…', "…", $tag$…$tag$), comments (--, nested C-style),
 * parentheses and a CREATE FUNCTION's BEGIN … END. psql variables are psql's: `\set`, `\getenv`
 * (from the environment given), and `:var`, `:'var'`, `:"var"` interpolated in SQL. `COPY … FROM
 * stdin` takes the script's lines up to `\.` as its data; `\gexec` marks the statement before it.
 * Other backslash commands (\d, \pset, \x, …) are psql's, not SQL: they come back as `meta`.
 */

export type ScriptItem =
  | { kind: 'sql'; sql: string; gexec?: boolean; copyData?: string }
  | { kind: 'meta'; command: string };

/** The variables `\getenv` reads, by environment variable name. */
export type PsqlEnv = Readonly<Record<string, string>>;

const IDENT = /[A-Za-z0-9_]/;
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;

function quoteLiteral(v: string): string {
  const body = v.replace(/'/g, "''");
  return v.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** psql's arguments of a backslash command: words, 'quoted' (psql escapes), :var forms. */
function slashArgs(line: string, vars: Map<string, string>): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let arg = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        i++;
        while (i < line.length) {
          if (line[i] === "'" && line[i + 1] === "'") { arg += "'"; i += 2; continue; }
          if (line[i] === "'") { i++; break; }
          if (line[i] === '\\' && i + 1 < line.length) {
            const e = line[i + 1]!;
            arg += e === 'n' ? '\n' : e === 't' ? '\t' : e;
            i += 2;
            continue;
          }
          arg += line[i++];
        }
      } else if (c === ':' && line[i + 1] !== ':') {
        const m = /^:(?:'([A-Za-z0-9_]+)'|"([A-Za-z0-9_]+)"|([A-Za-z0-9_]+))/.exec(line.slice(i));
        const name = m && (m[1] ?? m[2] ?? m[3])!;
        if (m && vars.has(name!)) {
          const v = vars.get(name!)!;
          arg += m[1] ? quoteLiteral(v).trim() : m[2] ? `"${v.replace(/"/g, '""')}"` : v;
          i += m[0].length;
        } else arg += line[i++];
      } else arg += line[i++];
    }
    args.push(arg);
  }
  return args;
}

export function readPsqlScript(text: string, env: PsqlEnv = {}): ScriptItem[] {
  const items: ScriptItem[] = [];
  const vars = new Map<string, string>();
  let buf = '';
  let parens = 0;
  let beginDepth = 0;
  let idents: string[] = [];
  let i = 0;
  const n = text.length;

  const reset = () => { buf = ''; parens = 0; beginDepth = 0; idents = []; };
  const isFunctionDef = () => idents[0] === 'create' && (idents[1] === 'function' || idents[1] === 'procedure' ||
    (idents[1] === 'or' && idents[2] === 'replace' && (idents[3] === 'function' || idents[3] === 'procedure')));

  // the data lines after a COPY … FROM stdin up to the line `\.`
  const copyData = (): string => {
    const eol = text.indexOf('\n', i);
    let pos = eol < 0 ? n : eol + 1;
    let data = '';
    while (pos < n) {
      const end = text.indexOf('\n', pos);
      const line = text.slice(pos, end < 0 ? n : end);
      pos = end < 0 ? n : end + 1;
      if (line === '\\.') break;
      data += line + '\n';
    }
    i = pos;
    return data;
  };

  const emit = (extra: { gexec?: boolean } = {}) => {
    const sql = buf.trim();
    if (sql) {
      const item: ScriptItem = { kind: 'sql', sql, ...extra };
      if (/^copy\b[\s\S]*\bfrom\s+(stdin|stdout)\b/i.test(sql)) item.copyData = copyData();
      items.push(item);
    }
    reset();
  };

  while (i < n) {
    const c = text[i]!;
    const rest = () => text.slice(i);
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const comment = text.slice(i, end < 0 ? n : end);
      if (buf.trim()) buf += comment;
      i += comment.length;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 0;
      const start = i;
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; continue; }
        if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; if (depth === 0) break; continue; }
        i++;
      }
      buf += text.slice(start, i);
      continue;
    }
    if (c === "'" || ((c === 'E' || c === 'e') && text[i + 1] === "'" && !IDENT.test(text[i - 1] ?? ' '))) {
      const escapes = c !== "'";
      const start = i;
      i += escapes ? 2 : 1;
      while (i < n) {
        if (escapes && text[i] === '\\') { i += 2; continue; }
        if (text[i] === "'") {
          if (text[i + 1] === "'") { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
      buf += text.slice(start, i);
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? n : end + 1;
      buf += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '$' && !IDENT.test(text[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest());
      if (m) {
        const end = text.indexOf(m[0], i + m[0].length);
        const stop = end < 0 ? n : end + m[0].length;
        buf += text.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (c === ':' && text[i + 1] === ':') { buf += '::'; i += 2; continue; }
    if (c === ':') {
      const m = /^:(?:'([A-Za-z0-9_]+)'|"([A-Za-z0-9_]+)"|([A-Za-z0-9_]+))/.exec(rest());
      const name = m && (m[1] ?? m[2] ?? m[3])!;
      if (m && vars.has(name!)) {
        const v = vars.get(name!)!;
        buf += m[1] ? quoteLiteral(v) : m[2] ? `"${v.replace(/"/g, '""')}"` : v;
        i += m[0].length;
        continue;
      }
    }
    if (c === '\\') {
      const end = text.indexOf('\n', i);
      const line = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end;
      const command = /^\S*/.exec(line)![0];
      const args = slashArgs(line.slice(command.length), vars);
      if (command === 'set' && args.length) vars.set(args[0]!, args.slice(1).join(''));
      else if (command === 'unset' && args.length) vars.delete(args[0]!);
      else if (command === 'getenv' && args.length === 2) {
        if (env[args[1]!] !== undefined) vars.set(args[0]!, env[args[1]!]!);
      }
      if (command === 'gexec') { emit({ gexec: true }); continue; }
      if (command === 'g' || command === 'gset' || command === 'gx') {
        // \gset's variables are not emulated: the statement runs, and a later :var stays as written
        emit();
        continue;
      }
      items.push({ kind: 'meta', command: `\\${line.trim()}` });
      continue;
    }
    if (c === '(') parens++;
    if (c === ')' && parens > 0) parens--;
    if (c === ';' && parens === 0 && beginDepth === 0) {
      i++;
      emit();
      continue;
    }
    if (IDENT_START.test(c) && !IDENT.test(text[i - 1] ?? ' ')) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(rest())!;
      const word = m[0].toLowerCase();
      if (idents.length < 4) idents.push(['create', 'function', 'procedure', 'or', 'replace'].includes(word) ? word : '');
      else idents.push('');
      if (isFunctionDef() && parens === 0) {
        if (word === 'begin') beginDepth++;
        else if (word === 'case' && beginDepth >= 1) beginDepth++;
        else if (word === 'end' && beginDepth > 0) beginDepth--;
      }
      buf += m[0];
      i += m[0].length;
      continue;
    }
    if (/\s/.test(c) && !buf.trim()) { i++; continue; }
    buf += c;
    i++;
  }
  emit();
  return items;
}
