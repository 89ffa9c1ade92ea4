// The pluggable signaling seam: a room-scoped text pipe that reaches every other node of the
// room. Adapters (broadcast.ts, websocket.ts, manual.ts) only move text; they know nothing of
// keys, envelopes or WebRTC — envelope.ts and webrtc.ts do.

/** One node's membership of a room. `send` reaches every other member; delivery is best effort. */
export interface SignalingChannel {
  send(text: string): void;
  close(): void | Promise<void>;
  /** Carried by hand only (manualSignaling): this one envelope, a pairing offer or answer, becomes the text a person carries. */
  sendByHand?(text: string): void;
}

export interface SignalingHandlers {
  /** A text from another member of the room. */
  message(text: string): void;
  /** The pipe is (again) able to reach the room: the transport announces itself on each call. */
  ready(): void;
  /** Carried by hand only: announce this node with a complete offer to whoever gets the text (sent with sendByHand). */
  invite(): void;
}

export interface Signaling {
  /** Join `room` (the transport passes its cluster name). */
  join(room: string, handlers: SignalingHandlers): SignalingChannel;
}
