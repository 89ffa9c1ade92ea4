import { openNode } from './packages/engine/src/index.ts';
const node = await openNode({ cluster: 'x', storage: 'memory' });
const stmts = process.argv.slice(2).join('\n').split(';;');
for (const s of stmts) {
  if (!s.trim()) continue;
  try { const r = await node.query(s); console.log(s.trim(), '=>', JSON.stringify(r.rows), r.rowCount ?? r.affectedRows); }
  catch (e) { const err = e as { code?: string; message: string; detail?: string }; console.log(s.trim(), '=> ERR', err.code, err.message, err.detail ?? ''); }
}
await node.close();
