/**
 * PostgreSQL 15's own regression files for `npm run sql:regress` and test/regress.test.ts. They
 * are PostgreSQL's text, never committed here: `npm test` runs this in `pretest` (after
 * postgres-provision.ts) to fetch Debian's postgresql-15 source tarball (the same 15.18 that
 * scripts/postgres.sh runs) into node_modules/.cache/walrtc-regress/, check its sha256, and
 * extract only src/test/regress/{sql,data,parallel_schedule}. Skipped when already there.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aptInstall, hasCommand } from './apt.ts';

export const REGRESS_CACHE = fileURLToPath(new URL('../node_modules/.cache/walrtc-regress/', import.meta.url));
const VERSION = '15.18';
/** The extracted src/test/regress directory (sql/, data/, parallel_schedule). */
export const REGRESS_DIR = `${REGRESS_CACHE}postgresql-${VERSION}/src/test/regress`;
const TARBALL = `postgresql-15_${VERSION}.orig.tar.bz2`;
const URL_ = `http://deb.debian.org/debian/pool/main/p/postgresql-15/${TARBALL}`;
const SHA256 = '11df0df97fe3ea4ba9a791faaf39cee1d2fe571e78885b5b55d8517d27c323b4';
const TIMEOUT_MS = 180_000;

export const REGRESS_HOW_TO = `PostgreSQL's regression files are not provisioned. Run
  npx tsx scripts/regress-provision.ts
(it fetches ${URL_}, ${SHA256.slice(0, 12)}…, into ${REGRESS_CACHE}), or place that tarball there yourself`;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function download(path: string): Promise<void> {
  console.log(`pretest: fetching PostgreSQL ${VERSION}'s regression files (Debian's source tarball, 23 MB)`);
  let bytes: Uint8Array;
  try {
    const res = await fetch(URL_, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`could not fetch ${URL_} within ${TIMEOUT_MS / 1000} s: ${(e as Error).message}`);
  }
  if (sha256(bytes) !== SHA256) throw new Error(`${URL_} has sha256 ${sha256(bytes)}, expected ${SHA256}`);
  writeFileSync(`${path}.part`, bytes);
  renameSync(`${path}.part`, path);
}

export async function provisionRegress(): Promise<void> {
  const done = `${REGRESS_CACHE}extracted-${VERSION}`;
  if (existsSync(done)) return;
  mkdirSync(REGRESS_CACHE, { recursive: true });
  const tarball = `${REGRESS_CACHE}${TARBALL}`;
  if (!existsSync(tarball) || sha256(readFileSync(tarball)) !== SHA256) await download(tarball);
  if (!hasCommand('bzip2', ['--help'])) aptInstall('bzip2', 'bzip2 (to unpack the regression files)', `bzip2 is needed to unpack ${tarball}: apt-get install -y bzip2`);
  const root = `postgresql-${VERSION}/src/test/regress`;
  rmSync(`${REGRESS_CACHE}postgresql-${VERSION}`, { recursive: true, force: true });
  execFileSync('tar', ['-xjf', tarball, '-C', REGRESS_CACHE, `${root}/sql`, `${root}/data`, `${root}/parallel_schedule`], { stdio: 'inherit', timeout: TIMEOUT_MS });
  writeFileSync(done, `${SHA256}\n`);
  // the tarball is only needed to extract; the extracted files are the cache
  rmSync(tarball);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  provisionRegress().catch((e: Error) => {
    console.error(`pretest: ${e.message}\n${REGRESS_HOW_TO}`);
    process.exit(1);
  });
}
