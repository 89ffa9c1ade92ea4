/**
 * The Chromium the browser tests drive (playwright-core downloads no browser). `npm test` runs
 * this first (`pretest`), so a fresh machine provisions it: $CHROMIUM_PATH, else
 * /usr/bin/chromium, else — as root with apt-get — Debian's chromium package is installed;
 * otherwise it stops with a message saying how to provide one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aptInstall } from './apt.ts';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The executable to launch, or undefined when none is present. */
export function chromiumPath(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  return existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

/** The executable, for a test: a clear error when `npm test`'s pretest could not provide one. */
export function requireChromium(): string {
  const path = chromiumPath();
  if (!path) throw new Error(HOW_TO);
  return path;
}

const HOW_TO = `no Chromium found for the browser tests. Either
  - set CHROMIUM_PATH to a Chromium or Chrome executable, or
  - install Debian's: apt-get update && apt-get install -y chromium (npm test does this itself when run as root)`;

function provision(): void {
  try {
    if (chromiumPath()) return;
  } catch (e) {
    console.error(`pretest: ${(e as Error).message}`);
    process.exit(1);
  }
  aptInstall('chromium', 'Chromium', HOW_TO);
  if (!chromiumPath()) {
    console.error(`pretest: apt-get finished but ${DEBIAN_CHROMIUM} is still missing.\n${HOW_TO}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) provision();
