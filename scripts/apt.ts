/** `npm test`'s pretest provisioning: install one of Debian's packages with apt-get, as root, or stop saying how. */
import { execFileSync } from 'node:child_process';

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Whether `command` runs here (with `args`, that exit 0). */
export function hasCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Install Debian's `name` (describing it as `what`), or exit 1 with `howTo` when that cannot be done here. */
export function aptInstall(name: string, what: string, howTo: string): void {
  if (!isRoot() || !hasCommand('apt-get', ['--version'])) {
    console.error(`pretest: ${howTo}`);
    process.exit(1);
  }
  console.log(`pretest: ${what} is missing; installing Debian's ${name} package (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', name], { stdio: 'inherit', env });
  } catch {
    console.error(`pretest: apt-get could not install ${name}.\n${howTo}`);
    process.exit(1);
  }
}
