/**
 * The devices panel's WebSocket relay: joins it as one more signaling pipe, and follows whether
 * it can be reached. websocketSignaling reconnects silently, so a second socket to the same
 * relay (a room of its own, which nobody else joins) watches it and says connecting, connected
 * or failed with the close code, retrying as the signaling socket does.
 */
import { websocketSignaling } from '@walrtc/transport';
import type { MultiSignaling } from './signaling.ts';

export type RelayState = { state: 'connecting' } | { state: 'connected' } | { state: 'failed'; error: string };

const RETRY_MS = 2000;

/** Returns the function that leaves the relay, or undefined when `url` is no relay address (reported failed). */
export function connectRelay(signaling: MultiSignaling, url: string, onState: (s: RelayState) => void): (() => void) | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    onState({ state: 'failed', error: `“${url}” is not a URL (expected ws://host:port)` });
    return undefined;
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    onState({ state: 'failed', error: `“${url}” is not a ws:// or wss:// URL` });
    return undefined;
  }
  const leave = signaling.add(websocketSignaling(url));
  let stopped = false;
  let watch: WebSocket | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    onState({ state: 'connecting' });
    const socket = new WebSocket(`${url.replace(/\/+$/, '')}/.walrtc-relay-status`);
    watch = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      onState({ state: 'connected' });
    };
    socket.onclose = (e) => {
      if (stopped) return;
      const how = `code ${e.code}${e.reason ? `, ${e.reason}` : ''}`;
      onState({
        state: 'failed',
        error: opened
          ? `the relay at ${url} closed the connection (${how}); reconnecting`
          : `no relay answers at ${url} (${how}). Start one with npm run signal (ws://127.0.0.1:8787), or check the address.`,
      });
      retry = setTimeout(open, RETRY_MS);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    watch?.close();
    leave();
  };
}
