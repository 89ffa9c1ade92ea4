/**
 * `npm run demo` (until the browser demo lands): a psql-like prompt over a walrtc node in this
 * process. It seeds a table, then runs each line you type and prints rows or the PostgreSQL error.
 */
import { createInterface } from 'node:readline/promises';
import { openNode, SqlError, type QueryResult } from '@walrtc/engine';

function table(r: QueryResult): string {
  if (!r.fields.length) return `${r.command}${r.command === 'SELECT' ? '' : ' ' + r.rowCount}`;
  const names = r.fields.map((f) => f.name);
  const cells = r.rows.map((row) => names.map((n) => show(row[n])));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i]!.length)));
  const line = (vals: string[]) => ' ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  return [line(names), '-' + widths.map((w) => '-'.repeat(w)).join('-+-') + '-', ...cells.map(line), `(${r.rowCount} row${r.rowCount === 1 ? '' : 's'})`].join('\n');
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const node = await openNode({ cluster: 'demo', nodeId: 'cli', storage: 'memory', log: () => {} });
await node.exec(`create table test(id serial primary key, comment text);
  insert into test(comment) values ('hello from walrtc'), ('a WAL-based SQL engine');`);
console.log(`walrtc ${(await node.status()).role} node "${node.nodeId}" (system identifier ${node.systemId}).`);
console.log('Type SQL, one statement per line; \\q quits. Try: select * from test;\n');
const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'walrtc=# ' });
rl.prompt();
for await (const line of rl) {
  const sql = line.trim();
  if (sql === '\\q') break;
  if (sql) {
    try {
      for (const r of await node.exec(sql)) console.log(table(r) + '\n');
    } catch (e) {
      if (e instanceof SqlError) console.log(`ERROR:  ${e.message}${e.detail ? `\nDETAIL:  ${e.detail}` : ''}\n(SQLSTATE ${e.code})\n`);
      else throw e;
    }
  }
  rl.prompt();
}
rl.close();
await node.close();
