// BroadcastChannel signaling: zero configuration for tabs of one browser (origin-scoped), and
// for transports inside one Node process or its worker threads (Node 18+ has BroadcastChannel).

import type { Signaling, SignalingChannel, SignalingHandlers } from './signaling.ts';

/** `name` defaults to `walrtc:<room>`; all nodes of one cluster must use the same name. */
export function broadcastSignaling(name?: string): Signaling {
  return {
    join(room: string, handlers: SignalingHandlers): SignalingChannel {
      const channel = new BroadcastChannel(name ?? `walrtc:${room}`);
      let open = true;
      channel.onmessage = (e: MessageEvent) => {
        if (open && typeof e.data === 'string') handlers.message(e.data);
      };
      queueMicrotask(() => open && handlers.ready());
      return {
        send(text) {
          if (open) channel.postMessage(text);
        },
        close() {
          open = false;
          channel.close();
        },
      };
    },
  };
}
