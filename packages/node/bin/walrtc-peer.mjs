#!/usr/bin/env node
// Starts the always-on walrtc peer (src/peer/cli.ts) under plain node: the built dist/ when
// installed from npm, the TypeScript source through tsx in a checkout of the repository.
// Usage: walrtc-peer --cluster NAME --key KEY --data DIR [options]; see packages/node/README.md.
import { existsSync } from 'node:fs';

const source = new URL('../src/peer/cli.ts', import.meta.url);
async function load() {
  if (!existsSync(source)) return import('../dist/peer/cli.js');
  const { register } = await import('tsx/esm/api');
  register();
  // the workspace packages resolve to their sources (their exports' "walrtc-source" condition)
  const { register: hook } = await import('node:module');
  hook(`data:text/javascript,${encodeURIComponent("export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, 'walrtc-source'] }); }")}`);
  return import(source.href);
}
const { main } = await load();
await main(process.argv.slice(2));
