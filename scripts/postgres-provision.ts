/**
 * The PostgreSQL server binaries the bridge tests start (packages/node/test/support/postgres.ts).
 * `npm test` runs this in `pretest` after chromium.ts: when no /usr/lib/postgresql/N/bin/initdb
 * exists and it runs as root with apt-get, Debian's postgresql package is installed (and the
 * cluster its install script may start is stopped again); otherwise it says how to provide one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aptInstall } from './apt.ts';

const ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin directory, or undefined. $POSTGRES_BIN wins when set. */
export function postgresBin(): string | undefined {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT).filter((v) => existsSync(`${ROOT}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  return versions[0] && `${ROOT}/${versions[0]}/bin`;
}

export const POSTGRES_HOW_TO = `no PostgreSQL server binaries found for the bridge tests. Either
  - set POSTGRES_BIN to a directory holding initdb, pg_ctl and postgres (PostgreSQL 15 or later), or
  - install Debian's: apt-get update && apt-get install -y postgresql (npm test does this itself when run as root)`;

function provision(): void {
  if (postgresBin()) return;
  aptInstall('postgresql', 'PostgreSQL', POSTGRES_HOW_TO);
  // the package's own cluster is not used by the tests: leave no server running
  try {
    execFileSync('sh', ['-c', 'pg_lsclusters -h | while read version name rest; do pg_ctlcluster "$version" "$name" stop || true; done'], { stdio: 'ignore' });
  } catch {}
  if (!postgresBin()) {
    console.error(`pretest: apt-get finished but no ${ROOT}/N/bin/initdb exists.\n${POSTGRES_HOW_TO}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) provision();
