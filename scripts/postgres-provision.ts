/**
 * The PostgreSQL server binaries the bridge tests start (packages/node/test/support/postgres.ts).
 * `npm test` runs this in `pretest` after chromium.ts: when no /usr/lib/postgresql/N/bin/initdb
 * exists and it runs as root with apt-get, Debian's postgresql package is installed (and the
 * cluster its install script may start is stopped again); otherwise it says how to provide one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  let apt = false;
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    apt = true;
  } catch {}
  if (!root || !apt) {
    console.error(`pretest: ${POSTGRES_HOW_TO}`);
    process.exit(1);
  }
  console.log("pretest: PostgreSQL is missing; installing Debian's postgresql package (apt-get)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env });
  } catch {
    console.error(`pretest: apt-get could not install postgresql.\n${POSTGRES_HOW_TO}`);
    process.exit(1);
  }
  // the package's own cluster is not used by the tests: leave no server running
  try {
    execFileSync('sh', ['-c', 'for c in $(pg_lsclusters -h | cut -d" " -f1,2 | tr " " "/"); do pg_ctlcluster ${c%/*} ${c#*/} stop || true; done'], { stdio: 'ignore' });
  } catch {}
  if (!postgresBin()) {
    console.error(`pretest: apt-get finished but no ${ROOT}/N/bin/initdb exists.\n${POSTGRES_HOW_TO}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) provision();
