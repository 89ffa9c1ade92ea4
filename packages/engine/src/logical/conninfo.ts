/**
 * A subscription's connection string: PostgreSQL's `key=value` conninfo syntax, naming the
 * publisher's cluster and how to reach it. Keys: `cluster` (required: the publisher cluster's
 * name), `key` (its cluster key, when its transport authenticates peers), `signaling` (how to
 * find its peers, e.g. `broadcast:room` or `ws://host:port`), and any others the application's
 * subscriptionTransport factory understands. The engine itself never opens sockets: the node's
 * `subscriptionTransport` option turns a parsed connection string into a transport.
 */
import { SqlError, SQLSTATE } from '../errors.ts';

export type ConnInfo = Record<string, string> & { cluster: string };

export function parseConnInfo(text: string): ConnInfo {
  const out: Record<string, string> = {};
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const bad = (why: string) => new SqlError(SQLSTATE.syntax_error, `invalid connection string syntax: ${why}`);
  for (ws(); i < text.length; ws()) {
    const start = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const key = text.slice(start, i);
    ws();
    if (text[i] !== '=') throw bad(`missing "=" after "${key}" in connection info string\n`);
    i++;
    ws();
    let value = '';
    if (text[i] === "'") {
      for (i++; ; i++) {
        if (i >= text.length) throw bad('unterminated quoted string in connection info string\n');
        if (text[i] === '\\') value += text[++i] ?? '';
        else if (text[i] === "'") break;
        else value += text[i];
      }
      i++;
    } else {
      for (; i < text.length && !/\s/.test(text[i]!); i++) value += text[i] === '\\' ? (text[++i] ?? '') : text[i];
    }
    out[key] = value;
  }
  if (!out.cluster) throw new SqlError(SQLSTATE.syntax_error, 'invalid connection string: the publisher\'s "cluster" is missing');
  return out as ConnInfo;
}
