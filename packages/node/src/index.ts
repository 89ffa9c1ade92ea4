/** @walrtc/node: the always-on walrtc peer for Node.js, its file storage and archive, and the PostgreSQL bridge. */
export { fileStorage, type FileStorage } from './storage/file.ts';
export { fileArchive, type FileArchive } from './storage/archive.ts';
export { startBridge, type Bridge, type BridgeOptions, type BridgeStatus, type BridgeLogger } from './bridge/bridge.ts';
export { BridgeError } from './bridge/errors.ts';
export { startPeer, type Peer, type PeerOptions } from './peer/peer.ts';
export { pgLogger } from './peer/log.ts';
export { forwardToPostgres, type PostgresWriteBack } from './bridge/forward.ts';
export { applyForwarded, ensureAppliedTable, APPLIED_TABLE, type ForwardedTransaction, type Verdict } from './bridge/writeback.ts';
