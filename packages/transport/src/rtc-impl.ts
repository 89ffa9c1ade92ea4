// Which WebRTC implementation simple-peer gets. Browsers have their own. Node.js has none: there
// it is node-datachannel's polyfill, an optional peer dependency loaded on first use, so that
// installing this package for a browser never builds or downloads a native binding. The
// published build (scripts/build.ts) points simple-peer's `webrtc-polyfill` import here;
// run from source, simple-peer uses webrtc-polyfill itself and only loadRtc runs.

/** A WebRTC implementation for hosts without one (Node): anything with a spec RTCPeerConnection. */
export interface Wrtc {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
}

interface Impl extends Wrtc {
  RTCSessionDescription?: new (init: RTCSessionDescriptionInit) => RTCSessionDescription;
  RTCIceCandidate?: new (init: RTCIceCandidateInit) => RTCIceCandidate;
}

const POLYFILL = 'node-datachannel/polyfill';
let loaded: Impl | undefined;

function native(): Impl | undefined {
  const g = globalThis as Partial<Impl>;
  return g.RTCPeerConnection ? (g as Impl) : undefined;
}

/**
 * Make sure an implementation is there before the first connection: the caller's `wrtc`, the
 * host's own, or node-datachannel imported now. Fails with a message naming the package.
 */
export async function loadRtc(wrtc?: Wrtc): Promise<void> {
  if (wrtc) loaded ??= wrtc;
  if (loaded || native()) return;
  try {
    // a computed specifier: bundlers must not pull a native module into a browser build
    loaded = (await import(/* @vite-ignore */ /* webpackIgnore: true */ POLYFILL)) as Impl;
  } catch (e) {
    throw new Error(
      `@walrtc/transport: this runtime has no WebRTC (RTCPeerConnection). Under Node.js install the optional peer dependency node-datachannel (npm install node-datachannel), or pass webrtcTransport({ wrtc }). Loading ${POLYFILL} failed: ${(e as Error).message}`,
    );
  }
}

function impl(): Impl {
  const found = native() ?? loaded;
  if (!found) throw new Error('@walrtc/transport: no WebRTC implementation loaded (webrtcTransport loads one before connecting)');
  return found;
}

// What simple-peer imports from webrtc-polyfill in the published build: constructors that defer
// to the implementation chosen above (a constructor returning an object yields that object).
export const RTCPeerConnection = function RTCPeerConnection(config?: RTCConfiguration) {
  return new (impl().RTCPeerConnection)(config);
} as unknown as Impl['RTCPeerConnection'];

export const RTCSessionDescription = function RTCSessionDescription(init: RTCSessionDescriptionInit) {
  const Ctor = impl().RTCSessionDescription;
  return Ctor ? new Ctor(init) : init;
} as unknown as NonNullable<Impl['RTCSessionDescription']>;

export const RTCIceCandidate = function RTCIceCandidate(init: RTCIceCandidateInit) {
  const Ctor = impl().RTCIceCandidate;
  return Ctor ? new Ctor(init) : init;
} as unknown as NonNullable<Impl['RTCIceCandidate']>;
