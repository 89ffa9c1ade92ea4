/**
 * A consumer of the published packages, as a user gets them: `npm pack` tarballs of
 * @walrtc/engine and @walrtc/transport installed into a copy of an app outside the workspaces.
 * The install is offline: its package-lock.json is written here from the repository's own (the
 * same versions `npm ci` put in the npm cache) plus the tarballs, so `npm ci --offline` needs
 * neither the registry nor a resolution step.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../..', import.meta.url));

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** Build and pack both packages into `dir`; returns package name → tarball path. */
export function packPackages(dir: string): Record<string, string> {
  const out = execFileSync('npm', ['pack', '--json', '-w', 'packages/engine', '-w', 'packages/transport', '--pack-destination', dir], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  return Object.fromEntries(packed.map((p) => [p.name, join(dir, p.filename)]));
}

/** Copy examples/<name> to `dir` with its @walrtc dependencies pointing at the tarballs, and an offline lockfile. */
export function prepareApp(name: string, dir: string, tarballs: Record<string, string>): void {
  cpSync(join(repo, 'examples', name), dir, { recursive: true, filter: (src) => !/node_modules|dist/.test(relative(join(repo, 'examples', name), src)) });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
  for (const [dep, file] of Object.entries(tarballs)) pkg.dependencies[dep] = `file:${relative(dir, file)}`;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lockfile(pkg, dir, tarballs), null, 2));
}

const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/?$/, '/');

function tarballUrl(name: string, version: string): string {
  return `${registry}${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

const FLAGS = ['dev', 'devOptional', 'peer', 'optional', 'extraneous', 'inBundle'];

/** The app's lockfile: every package it needs, at the place and version the repository's lockfile has it. */
function lockfile(pkg: { dependencies: Record<string, string>; devDependencies?: Record<string, string> }, dir: string, tarballs: Record<string, string>) {
  const repoLock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = { '': { name: 'app', dependencies: pkg.dependencies, devDependencies: pkg.devDependencies } };
  const optional = new Set<string>();
  const queue: { from: string; name: string; optional: boolean }[] = [];
  const need = (from: string, deps: Record<string, string> | undefined, isOptional: boolean) => {
    for (const name of Object.keys(deps ?? {})) queue.push({ from, name, optional: isOptional });
  };
  need('', { ...pkg.dependencies, ...pkg.devDependencies }, false);
  while (queue.length) {
    const { from, name, optional: isOptional } = queue.shift()!;
    const tarball = tarballs[name];
    if (tarball) {
      const key = `node_modules/${name}`;
      if (packages[key]) continue;
      const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as LockEntry;
      const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      packages[key] = { version: manifest.version, resolved: `file:${relative(dir, tarball)}`, integrity, dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies, peerDependenciesMeta: manifest.peerDependenciesMeta };
      need(key, manifest.dependencies, false);
      continue;
    }
    // Node's resolution: the nearest node_modules/<name> up from the dependent
    let at = from;
    let key: string | undefined;
    for (;;) {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (repoLock.packages[candidate] && !repoLock.packages[candidate]!.link) {
        key = candidate;
        break;
      }
      if (!at) break;
      at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')));
    }
    if (!key) {
      if (isOptional) continue; // an optional dependency for another platform
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in the repository's package-lock.json`);
    }
    if (!isOptional) optional.delete(key);
    if (packages[key]) continue;
    if (isOptional) optional.add(key);
    const entry: LockEntry = { ...repoLock.packages[key]! };
    for (const flag of FLAGS) delete entry[flag];
    // where the tarball is, so that npm fetches it (from its cache) without asking for the package's metadata
    entry.resolved ??= tarballUrl(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length), entry.version!);
    packages[key] = entry;
    need(key, entry.dependencies, isOptional);
    need(key, entry.optionalDependencies, true);
    for (const [peer] of Object.entries(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) queue.push({ from: key, name: peer, optional: isOptional });
    }
  }
  for (const key of optional) packages[key]!.optional = true;
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}
