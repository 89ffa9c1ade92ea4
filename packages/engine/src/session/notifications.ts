/**
 * PGlite's notification API on a session: `listen(channel, cb)` (runs LISTEN, returns the
 * unsubscribe), `unlisten(channel, cb?)` (UNLISTEN once the channel's last callback is gone) and
 * `onNotification(cb)` for every channel the session listens on. Shared by Node and WorkerNode
 * through SessionClient; the backend brings each committed notification the session heard, in
 * commit order.
 */
import type { Notification } from '../sql/notify.ts';
import type { SessionBackend } from './backend.ts';

export type ChannelCallback = (payload: string) => void;
export type NotificationCallback = (channel: string, payload: string) => void;

/** PGlite's spelling rule for a channel argument: "Quoted" keeps its case, anything else is folded to lower case. */
function channelName(channel: string): string {
  return channel.length > 1 && channel.startsWith('"') && channel.endsWith('"') ? channel.slice(1, -1) : channel.toLowerCase();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class Notifications {
  private readonly byChannel = new Map<string, Set<ChannelCallback>>();
  private readonly everything = new Set<NotificationCallback>();
  private stop: (() => void) | undefined;

  constructor(private readonly backend: SessionBackend, private readonly exec: (sql: string) => Promise<unknown>) {}

  async listen(channel: string, cb: ChannelCallback): Promise<() => Promise<void>> {
    const name = channelName(channel);
    this.subscribe();
    await this.exec(`LISTEN ${quoteIdent(name)}`);
    let set = this.byChannel.get(name);
    if (!set) this.byChannel.set(name, (set = new Set()));
    set.add(cb);
    return () => this.unlisten(channel, cb);
  }

  async unlisten(channel: string, cb?: ChannelCallback): Promise<void> {
    const name = channelName(channel);
    const set = this.byChannel.get(name);
    if (cb) set?.delete(cb);
    if (cb && set?.size) return;
    this.byChannel.delete(name);
    await this.exec(`UNLISTEN ${quoteIdent(name)}`);
  }

  onNotification(cb: NotificationCallback): () => void {
    this.subscribe();
    this.everything.add(cb);
    return () => void this.everything.delete(cb);
  }

  /** The node is closing. */
  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private subscribe(): void {
    this.stop ??= this.backend.notifications((n) => this.deliver(n));
  }

  private deliver(n: Notification): void {
    for (const cb of this.byChannel.get(n.channel) ?? []) cb(n.payload);
    for (const cb of this.everything) cb(n.channel, n.payload);
  }
}
