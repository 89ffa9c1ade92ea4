/**
 * A subscriber's connection to a publisher cluster (PostgreSQL's libpqwalreceiver, walrtc's way):
 * a transport into the publisher's cluster from the node's subscriptionTransport factory. It
 * learns which peer is the publisher's primary from the nodes' own announcements (the newest
 * timeline wins), so after a failover it finds the new primary by itself; requests go to the
 * primary and are answered by request id; streamed messages go to one listener.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import { decodeMessage } from '../replication/protocol.ts';
import type { PeerTransport } from '../replication/peer-transport.ts';
import type { Value } from '../sql/types.ts';
import type { RelationInfo } from './decode.ts';
import { decodeLogical, encodeLogical, isLogicalFrame, type PublisherMessage, type SubscriberMessage } from './protocol.ts';

export type ClosableTransport = PeerTransport & { close(): Promise<void> };

type Request = SubscriberMessage & { req: number };
type Result = Extract<PublisherMessage, { t: 'l_result' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve(r: Result): void;
  reject(e: Error): void;
  copies: { relation: RelationInfo; rows: Value[][] }[];
}

export class PublisherConnection {
  private primary: { id: string; timeline: number } | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;
  /** Messages of the stream (l_txn, l_keepalive, l_error) and primary changes. */
  onStream: ((msg: PublisherMessage, from: string) => void) | undefined;
  onPrimaryChange: ((id: string | undefined) => void) | undefined;

  constructor(private readonly transport: ClosableTransport, private readonly log: (m: string) => void, private readonly timeoutMs: number) {
    this.unsubscribe.push(
      transport.on('message', (from, bytes) => this.received(from, bytes)),
      transport.on('peer-left', (id) => {
        if (this.primary?.id !== id) return;
        this.primary = undefined;
        for (const p of this.pending.values()) p.reject(new SqlError(SQLSTATE.connection_failure, 'the publisher closed the connection'));
        this.pending.clear();
        this.onPrimaryChange?.(undefined);
      }),
    );
  }

  get primaryId(): string | undefined {
    return this.primary?.id;
  }

  /** Wait until the publisher's primary is known. */
  async ready(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    while (!this.primary) {
      if (this.closed) throw new SqlError(SQLSTATE.connection_failure, 'the connection to the publisher was closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new SqlError(SQLSTATE.connection_failure, 'could not connect to the publisher: no primary of the publisher cluster answered');
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 100));
        function done() { clearTimeout(t); resolve(); }
        this.waiters.add(done);
      });
    }
    return this.primary.id;
  }

  async request(msg: DistributiveOmit<Request, 'req'>): Promise<Result & { copies: Pending['copies'] }> {
    const to = await this.ready();
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(req);
        reject(new SqlError(SQLSTATE.connection_failure, `the publisher did not answer ${msg.t.replace('l_', '')} in time`));
      }, this.timeoutMs * 4);
      const entry: Pending = {
        copies: [],
        resolve: (r) => {
          clearTimeout(timer);
          if (r.code) reject(new SqlError(r.code, r.message ?? 'publisher error'));
          else resolve({ ...r, copies: entry.copies });
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.pending.set(req, entry);
      this.send(to, { ...msg, req } as SubscriberMessage).catch((e) => entry.reject(e instanceof Error ? e : new Error(String(e))));
    });
  }

  async send(to: string, msg: SubscriberMessage): Promise<void> {
    await this.transport.send(to, encodeLogical(msg));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    for (const p of this.pending.values()) p.reject(new SqlError(SQLSTATE.connection_failure, 'the connection to the publisher was closed'));
    this.pending.clear();
    await this.transport.close();
  }

  private received(from: string, bytes: Uint8Array): void {
    if (!isLogicalFrame(bytes)) {
      const d = decodeMessage(bytes);
      // announcements tell who the publisher's primary is; nothing else of the physical protocol concerns a subscriber
      if (d.ok && d.msg.t === 'announce') this.announced(from, d.msg.node.role, d.msg.node.timeline);
      return;
    }
    const { msg, reason } = decodeLogical(bytes);
    if (!msg) return this.log(`rejected logical replication message from "${from}": ${reason}`);
    if (msg.t === 'l_result') {
      const p = this.pending.get(msg.req);
      this.pending.delete(msg.req);
      p?.resolve(msg);
    } else if (msg.t === 'l_copy') {
      const p = this.pending.get(msg.req);
      if (p) {
        const last = p.copies[p.copies.length - 1];
        if (last && last.relation.oid === msg.relation.oid) last.rows.push(...msg.rows);
        else p.copies.push({ relation: msg.relation, rows: [...msg.rows] });
      }
    } else if (from === this.primary?.id && (msg.t === 'l_txn' || msg.t === 'l_keepalive' || msg.t === 'l_error')) {
      this.onStream?.(msg, from);
    }
  }

  private announced(from: string, role: string, timeline: number): void {
    const current = this.primary;
    if (role === 'primary') {
      if (current && current.id !== from && current.timeline >= timeline) return;
      if (current?.id === from && current.timeline === timeline) return;
      this.primary = { id: from, timeline };
      for (const w of this.waiters) w();
      this.waiters.clear();
      if (current?.id !== from) this.onPrimaryChange?.(from);
    } else if (current?.id === from) {
      this.primary = undefined;
      this.onPrimaryChange?.(undefined);
    }
  }
}
