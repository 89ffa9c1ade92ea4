/**
 * Tabs of this browser that cannot reach each other. Each tab says "here" on a BroadcastChannel
 * of its own (apart from signaling); when another tab of the cluster keeps saying so but never
 * becomes a WebRTC peer, the page says why and what to do instead of waiting silently.
 */
const HEARTBEAT_MS = 1000;
/** A tab not heard from for this long is gone (closed, or its node closed). */
const GONE_MS = 3000;
/** How long a tab may be present without becoming a peer before the page calls it a problem. */
const PATIENCE_MS = 8000;

interface Here {
  nodeId: string;
  /** The tab's "Disconnect" switch is on: it is unreachable on purpose. */
  cut: boolean;
}

export function watchTabPeers(cluster: string, nodeId: string, state: { peers(): string[]; cut(): boolean }, report: (problem: string | undefined) => void): () => void {
  const channel = new BroadcastChannel(`walrtc-demo-tabs:${cluster}`);
  const strangers = new Map<string, { lastSeen: number; since: number }>();
  channel.onmessage = (e: MessageEvent<Here>) => {
    const { nodeId: id, cut } = e.data ?? {};
    if (typeof id !== 'string' || id === nodeId) return;
    if (cut) return void strangers.delete(id);
    const now = Date.now();
    strangers.set(id, { lastSeen: now, since: strangers.get(id)?.since ?? now });
  };
  const tick = () => {
    channel.postMessage({ nodeId, cut: state.cut() } satisfies Here);
    const now = Date.now();
    const peers = new Set(state.peers());
    for (const [id, s] of strangers) {
      if (now - s.lastSeen > GONE_MS) strangers.delete(id);
      else if (peers.has(id)) s.since = now;
    }
    const stranded = [...strangers.values()].filter((s) => now - s.since >= PATIENCE_MS).length;
    report(stranded && !state.cut() ? explain(stranded) : undefined);
  };
  const timer = setInterval(tick, HEARTBEAT_MS);
  tick();
  return () => {
    clearInterval(timer);
    channel.close();
  };
}

function explain(stranded: number): string {
  const tabs = stranded === 1 ? 'Another tab of this cluster is open' : `${stranded} other tabs of this cluster are open`;
  const problem = `${tabs} in this browser, but no WebRTC connection to ${stranded === 1 ? 'it' : 'them'} has formed.`;
  if (location.hostname !== 'localhost') {
    const there = new URL(location.href);
    there.hostname = 'localhost';
    return `${problem} Why: on ${location.origin} the browser hides this computer's addresses behind mDNS names and offers no loopback address, so tabs cannot reach each other. Fix: open ${there.href} instead (Chromium: or start it with --allow-loopback-in-peer-connection and allow this page the camera).`;
  }
  return `${problem} Why: the browser found no network path between them (WebRTC turned off by a policy or an extension, or no network interface besides loopback). Fix: allow WebRTC for this site, or start Chromium with --allow-loopback-in-peer-connection.`;
}
