/** @walrtc/node: the always-on walrtc peer for Node.js, its file storage and archive, and the PostgreSQL bridge. */
export { fileStorage, type FileStorage } from './storage/file.ts';
