// @vitest-environment happy-dom
/** @walrtc/engine/react: useLiveQuery re-renders a component when a commit changes its rows. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { act, Component, createElement, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it, vi } from 'vitest';
import { useLiveQuery, WalrtcProvider } from '../src/bindings/react.ts';
import { openNode } from '../src/index.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Items({ min }: { min: number }) {
  const items = useLiveQuery<{ name: string }>('select name from items where qty >= $1 order by name', [min]);
  return createElement('ul', null, items === undefined ? 'loading' : items.rows.map((r) => createElement('li', { key: r.name }, r.name)));
}

describe('useLiveQuery (React)', () => {
  it('renders the rows, again after a commit, and again after its params change', async () => {
    // the DOM environment rewrites import.meta.url to a web address: hand the parser its bytes
    const parserWasm = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../src/sql/libpg-query.wasm'));
    const node = await openNode({ cluster: 'react-hook', storage: 'memory', parserWasm });
    await node.exec(`create table items(name text primary key, qty int); insert into items values ('apples', 3), ('pears', 5)`);
    const host = document.createElement('div');
    const root = createRoot(host);
    const render = (min: number) => act(() => root.render(createElement(WalrtcProvider, { node }, createElement(Items, { min }))));
    const text = () => [...host.querySelectorAll('li')].map((li) => li.textContent);
    await render(0);
    await vi.waitFor(() => expect(text()).toEqual(['apples', 'pears']), { timeout: 5000 });
    await act(() => node.query(`insert into items values ('figs', 8)`));
    await vi.waitFor(() => expect(text()).toEqual(['apples', 'figs', 'pears']), { timeout: 5000 });
    await render(5);
    await vi.waitFor(() => expect(text()).toEqual(['figs', 'pears']), { timeout: 5000 });
    await act(() => root.unmount());
    await node.close();
  });

  it('says what is missing when there is no provider', async () => {
    const host = document.createElement('div');
    const root = createRoot(host, { onCaughtError: () => {} });
    await act(() => root.render(createElement(Boundary, null, createElement(Items, { min: 0 }))));
    expect(host.textContent).toBe('@walrtc/engine/react: useLiveQuery and useNode need a <WalrtcProvider node={…}> above them');
    await act(() => root.unmount());
  });
});

/** Renders the message of what its children threw. */
class Boundary extends Component<{ children: ReactNode }, { message?: string }> {
  override state: { message?: string } = {};
  static getDerivedStateFromError(e: Error) {
    return { message: e.message };
  }
  override render() {
    return this.state.message ?? this.props.children;
  }
}
