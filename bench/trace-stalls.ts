// What the long tasks and slow commits of a traced checkpoint-mode phase were made of.
// Run: node --max-old-space-size=6000 --import tsx bench/trace-stalls.ts dir/page-idle.json [minMs=50]
// (the trace from `TRACE=dir ONLY=checkpoint … bench/browser.bench.ts`). For the renderer's main
// thread and each worker thread: every GC pause over 10 ms with the heap before and after; every
// task (or outermost JS call) longer than minMs with the garbage collection inside it and its
// longest children; and for every 'long task' and 'slow commit' the page measured (user-timing
// measures: a long-task entry, a commit over 20 ms, over 50 ms between two commits — Chromium reports
// no long-task entry for a task that is only V8's GC) the GC pauses and the longest
// JS call that overlapped it on each thread, and the longest step of the browser's IndexedDB backend;
// with V8's sampling profiler in the trace (TRACE_CPU=1), what each thread's samples ran during
// every measure of PROFILED_MS (default 40) or more: the functions with the most self time and those
// most often on the stack ('(garbage collector)', '(program)' = native work, '(idle)' = nothing to do).

import { readFileSync } from 'node:fs';

interface Ev {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string;
  id2?: { local?: string };
  args?: Record<string, unknown> & { data?: Record<string, unknown>; name?: string };
}

const [file, minArg] = process.argv.slice(2);
if (!file) throw new Error('usage: trace-stalls.ts trace.json [minMs]');
const minMs = Number(minArg ?? 50);
/** Gaps at least this long get the profiler's account of each thread (TRACE_CPU=1 traces). */
const minProfiledMs = Number(process.env.PROFILED_MS ?? 40);
const raw = JSON.parse(readFileSync(file, 'utf8')) as Ev[] | { traceEvents: Ev[] };
const events = Array.isArray(raw) ? raw : raw.traceEvents;

const threadName = new Map<string, string>();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, String(e.args?.name));
const key = (e: Ev) => `${e.pid}:${e.tid}`;
const watched = [...threadName].filter(([, n]) => n === 'CrRendererMain' || n.startsWith('DedicatedWorker')).map(([k]) => k);

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
const mb = (b: unknown) => (typeof b === 'number' ? `${(b / 1e6).toFixed(0)} MB` : '?');
const isGc = (e: Ev) => e.name === 'MajorGC' || e.name === 'MinorGC';
const complete = events.filter((e) => e.ph === 'X' && e.dur !== undefined);
const t0 = complete.reduce((m, e) => Math.min(m, e.ts), Infinity);
const at = (us: number) => `${((us - t0) / 1000).toFixed(0)}`;

for (const k of watched) {
  const own = complete.filter((e) => key(e) === k).sort((a, b) => a.ts - b.ts);
  if (!own.length) continue;
  // tasks when the trace has them, otherwise the outermost JS calls
  const runTasks = own.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  let outerEnd = -1;
  const tasks = runTasks.length ? runTasks : own.filter((e) => e.name === 'FunctionCall' && e.ts >= outerEnd && ((outerEnd = e.ts + e.dur!), true));
  const gcs = own.filter(isGc);
  const gcTotal = gcs.reduce((s, e) => s + e.dur!, 0);
  const span = own[own.length - 1]!.ts - own[0]!.ts;
  console.log(`\n== ${threadName.get(k)} (${k}): ${tasks.length} tasks over ${ms(span)}; GC ${ms(gcTotal)} in ${gcs.length} pauses (${gcs.filter((e) => e.name === 'MajorGC').length} major)`);
  console.log('  GC pauses over 10 ms (at ms from the trace start): name, duration, heap before → after, type');
  for (const g of gcs.filter((e) => e.dur! > 10_000)) {
    const a = g.args?.['usedHeapSizeBefore'] ?? g.args?.data?.['usedHeapSizeBefore'];
    const b = g.args?.['usedHeapSizeAfter'] ?? g.args?.data?.['usedHeapSizeAfter'];
    console.log(`    @${at(g.ts)} ${g.name} ${ms(g.dur!)} ${mb(a)} → ${mb(b)} ${JSON.stringify(g.args?.['type'] ?? g.args?.data?.['type'] ?? '')}`);
  }
  console.log(`  tasks over ${minMs} ms: duration, GC inside, longest children`);
  for (const t of tasks.filter((e) => e.dur! > minMs * 1000)) {
    const end = t.ts + t.dur!;
    const inside = own.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= end);
    const gc = inside.filter(isGc).reduce((s, e) => s + e.dur!, 0);
    const byName = new Map<string, number>();
    for (const e of inside) {
      if (e.dur! < 1000) continue;
      const label = e.name === 'FunctionCall' ? `FunctionCall ${String(e.args?.data?.['functionName'] ?? '')}` : e.name;
      byName.set(label, Math.max(byName.get(label) ?? 0, e.dur!));
    }
    const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, d]) => `${n} ${ms(d)}`);
    console.log(`    @${at(t.ts)} ${ms(t.dur!)}: GC ${ms(gc)}; ${top.join(', ')}`);
  }
}

// V8's sampling profiler (TRACE_CPU=1): one Profile per isolate, on its thread; its chunks come from the profiler's thread under the same id
interface Sample {
  ts: number;
  node: number;
}
interface Profile {
  thread: string;
  frames: Map<number, { name: string; parent: number | undefined }>;
  samples: Sample[];
}
const profiles = new Map<string, Profile>();
for (const e of events) {
  if (e.name === 'Profile' && e.id) profiles.set(`${e.pid}:${e.id}`, { thread: key(e), frames: new Map(), samples: [] });
}
const clock = new Map<string, number>();
for (const e of events) {
  if (e.name === 'Profile' && e.id) clock.set(`${e.pid}:${e.id}`, Number(e.args?.data?.['startTime'] ?? e.ts));
  if (e.name !== 'ProfileChunk' || !e.id) continue;
  const p = profiles.get(`${e.pid}:${e.id}`);
  if (!p) continue;
  const data = e.args?.data as { cpuProfile?: { nodes?: { id: number; parent?: number; callFrame: { functionName: string; url?: string } }[]; samples?: number[] }; timeDeltas?: number[] } | undefined;
  for (const n of data?.cpuProfile?.nodes ?? []) p.frames.set(n.id, { name: n.callFrame.functionName || `(anonymous ${n.callFrame.url?.split('/').pop() ?? ''})`, parent: n.parent });
  let t = clock.get(`${e.pid}:${e.id}`)!;
  const samples = data?.cpuProfile?.samples ?? [];
  const deltas = data?.timeDeltas ?? [];
  samples.forEach((node, i) => {
    t += deltas[i] ?? 0;
    p.samples.push({ ts: t, node });
  });
  clock.set(`${e.pid}:${e.id}`, t);
}
for (const p of profiles.values()) p.samples.sort((a, b) => a.ts - b.ts);

/** What `thread`'s JS samples in [from, to) were: the functions with the most self time, and the longest stacks' frames. */
function sampled(thread: string, from: number, to: number): string {
  const out: string[] = [];
  for (const p of profiles.values()) {
    if (p.thread !== thread) continue;
    const self = new Map<string, number>();
    const onStack = new Map<string, number>();
    let n = 0;
    for (const s of p.samples) {
      if (s.ts < from || s.ts >= to) continue;
      n++;
      const leaf = p.frames.get(s.node);
      if (!leaf) continue;
      self.set(leaf.name, (self.get(leaf.name) ?? 0) + 1);
      const seen = new Set<string>();
      for (let f: typeof leaf | undefined = leaf; f; f = f.parent === undefined ? undefined : p.frames.get(f.parent)) if (!seen.has(f.name)) seen.add(f.name), onStack.set(f.name, (onStack.get(f.name) ?? 0) + 1);
    }
    if (!n) continue;
    const top = (m: Map<string, number>, k: number) => [...m].filter(([name]) => name !== '(root)').sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, c]) => `${name} ${Math.round((100 * c) / n)}%`).join(', ');
    out.push(`${n} samples; self: ${top(self, 5)}; on stack: ${top(onStack, 6)}`);
  }
  return out.join(' | ');
}

// the browser's IndexedDB backend (any process and thread): its slow steps
const storage = complete.filter((e) => /IndexedDB|leveldb|\bsql\b/.test(e.cat) && e.dur! > 5000);
const storageSlow = new Map<string, { n: number; longest: number }>();
for (const e of storage) {
  const s = storageSlow.get(e.name) ?? { n: 0, longest: 0 };
  storageSlow.set(e.name, { n: s.n + 1, longest: Math.max(s.longest, e.dur!) });
}
console.log(`\n== IndexedDB backend steps over 5 ms: name, count, longest`);
for (const [n, s] of [...storageSlow].sort((a, b) => b[1].longest - a[1].longest).slice(0, 15)) console.log(`    ${n}: ${s.n}, ${ms(s.longest)}`);

// the page's measures: async begin/end pairs in blink.user_timing
function measures(name: string): { ts: number; end: number }[] {
  const begins = new Map<string, Ev>();
  const out: { ts: number; end: number }[] = [];
  for (const e of events) {
    if (e.name !== name) continue;
    const id = `${e.pid}:${e.id ?? e.id2?.local ?? ''}`;
    if (e.ph === 'b') begins.set(id, e);
    else if (e.ph === 'e' && begins.has(id)) out.push({ ts: begins.get(id)!.ts, end: e.ts }), begins.delete(id);
  }
  return out.sort((a, b) => a.ts - b.ts);
}

for (const [name, what] of [['long task', "a long-task entry of the page"], ['slow commit', 'a commit over 20 ms'], ['long gap', 'over 50 ms between two commits']] as const) {
  const spans = measures(name);
  const gcOver = spans.map((s) => watched.map((k) => complete.filter((e) => key(e) === k && isGc(e) && e.ts < s.end && e.ts + e.dur! > s.ts)));
  const withGc = gcOver.filter((per) => per.some((g) => g.length)).length;
  console.log(`\n== ${spans.length} '${name}' (${what}), ${withGc} with a GC pause inside: duration, then per thread the GC inside and the longest JS call`);
  const heldByStorage = spans.filter((s, i) => !gcOver[i]!.some((g) => g.length) && storage.some((e) => e.ts < s.end && e.ts + e.dur! > s.ts && e.dur! > 20_000)).length;
  console.log(`  of which without a GC pause but beside an IndexedDB backend step over 20 ms: ${heldByStorage}`);
  spans.forEach((s, i) => {
    const parts = watched.map((k, j) => {
      const gcs = gcOver[i]![j]!;
      const gc = gcs.reduce((sum, e) => sum + Math.min(e.ts + e.dur!, s.end) - Math.max(e.ts, s.ts), 0);
      const call = complete.filter((e) => key(e) === k && !isGc(e) && e.ts < s.end && e.ts + e.dur! > s.ts && e.dur! > 5000).sort((a, b) => b.dur! - a.dur!)[0];
      if (!gcs.length && !call) return '';
      const kinds = [...new Set(gcs.map((g) => g.name))].join('+');
      return `${threadName.get(k)}: GC ${ms(gc)}${kinds ? ` (${kinds})` : ''}${call ? `, ${call.name} ${String(call.args?.data?.['functionName'] ?? '')} ${ms(call.dur!)}` : ''}`;
    });
    const db = storage.filter((e) => e.ts < s.end && e.ts + e.dur! > s.ts).sort((a, b) => b.dur! - a.dur!)[0];
    if (db) parts.push(`IndexedDB backend: ${db.name} ${ms(db.dur!)}`);
    console.log(`  @${at(s.ts)} ${ms(s.end - s.ts)}: ${parts.filter(Boolean).join('; ') || 'nothing on the watched threads'}`);
    if (profiles.size && s.end - s.ts >= minProfiledMs * 1000) {
      for (const k of watched) {
        const what = sampled(k, s.ts, s.end);
        if (what) console.log(`      ${threadName.get(k)} (${k}) JS: ${what}`);
      }
    }
  });
}
