// A typed listener registry shared by every Transport implementation, so `on`/`off`/emit
// behave identically (a throwing listener is logged, never breaks the transport).

import type { Logger, TransportEvent, TransportEvents } from './transport.ts';

export class Emitter {
  readonly #listeners = new Map<TransportEvent, Set<(...args: never[]) => void>>();

  constructor(private readonly log: Logger) {}

  on<E extends TransportEvent>(event: E, fn: TransportEvents[E]): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  off<E extends TransportEvent>(event: E, fn: TransportEvents[E]): void {
    this.#listeners.get(event)?.delete(fn);
  }

  emit<E extends TransportEvent>(event: E, ...args: Parameters<TransportEvents[E]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    // Set iteration tolerates listeners removing themselves; no per-emit copy on the hot path.
    for (const fn of set) {
      try {
        (fn as unknown as (...a: Parameters<TransportEvents[E]>) => void)(...args);
      } catch (err) {
        this.log(`transport: a '${event}' listener threw: ${String(err)}`);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
