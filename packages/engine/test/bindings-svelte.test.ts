/** @walrtc/engine/svelte: liveQuery is a Svelte readable store over node.live. */
import { derived, get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import { liveQuery } from '../src/bindings/svelte.ts';
import { openNode, type QueryResult } from '../src/index.ts';

describe('liveQuery (Svelte store)', () => {
  it('gives each subscriber the current result at once and every change after, as Svelte\'s own stores and derived() expect', async () => {
    const node = await openNode({ cluster: 'svelte-store', storage: 'memory' });
    await node.exec(`create table items(id int primary key, name text); insert into items values (1, 'apples')`);
    const items = liveQuery<{ id: number; name: string }>(node, 'select id, name from items order by id');
    expect(get(items)).toBeUndefined(); // subscribed and unsubscribed at once: no result yet
    const names = derived(items, (r) => r?.rows.map((row) => row.name));
    const seen: (string[] | undefined)[] = [];
    const stop = names.subscribe((v) => seen.push(v));
    expect(seen).toEqual([undefined]);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['apples']), { timeout: 5000 });
    await node.query(`insert into items values (2, 'pears')`);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['apples', 'pears']), { timeout: 5000 });
    stop();
    await node.close();
  });

  it('runs the live query only while it has subscribers', () => {
    const stops: number[] = [];
    let started = 0;
    const source = {
      live<R>(_sql: string, _params: readonly unknown[], cb: (r: QueryResult<R>) => void) {
        const n = ++started;
        cb({ rows: [], fields: [], rowCount: 0, command: 'SELECT' } as unknown as QueryResult<R>);
        return () => void stops.push(n);
      },
    };
    const store = liveQuery(source, 'select 1');
    const a = store.subscribe(() => {});
    const b = store.subscribe(() => {});
    expect(started).toBe(1);
    a();
    expect(stops).toEqual([]);
    b();
    expect(stops).toEqual([1]);
    expect(store.get()).toBeUndefined();
    store.subscribe(() => {})();
    expect([started, stops]).toEqual([2, [1, 2]]);
  });
});
