// `npm run bench`: runs every bench/*.bench.ts in turn as
// `node --expose-gc --conditions=walrtc-source --import tsx <file>` (the workspace packages from source),
// streaming its output; exits non-zero when one of them fails. Benchmarks are not tests.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
let failed = 0;
for (const file of files) {
  console.log(`\n# ${file}`);
  const { status, signal } = spawnSync(process.execPath, ['--expose-gc', '--conditions=walrtc-source', '--import', 'tsx', join(here, file)], { stdio: 'inherit', cwd: join(here, '..') });
  if (status !== 0) {
    failed++;
    console.error(`bench/${file} failed (${signal ?? `exit code ${status}`})`);
  }
}
process.exit(failed ? 1 : 0);
