// The engine from plain Node.js ESM (no bundler, no TypeScript): a memory node answers SQL.
// The transport needs the optional node-datachannel under Node; without it, it says so.
import { openNode } from '@walrtc/engine';
import { broadcastSignaling, webrtcTransport } from '@walrtc/transport';

const node = await openNode({ cluster: 'example', storage: 'memory' });
await node.exec(`create table t(id int primary key, v text); insert into t values (1, 'one'), (2, 'two')`);
const { rows } = await node.query('select v from t where id = $1', [2]);
let syntaxError;
await node.query('selec 1').catch((e) => (syntaxError = `${e.code} ${e.message}`));
await node.close();

let transport;
try {
  const t = webrtcTransport({ cluster: 'example', nodeId: 'n1', key: 'k', signaling: broadcastSignaling() });
  await t.close();
  transport = 'ok';
} catch (e) {
  transport = e.message;
}
console.log(JSON.stringify({ rows, syntaxError, transport }));
