/** PROFILE=dir: CPU profiles of a benchmark's measured part only (node:inspector), written as dir/<name>.cpuprofile for DevTools. */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Start profiling when PROFILE is set; the returned stop writes `name`.cpuprofile (a no-op otherwise). */
export async function profile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.PROFILE;
  if (!dir) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(p));
    session.disconnect();
  };
}
