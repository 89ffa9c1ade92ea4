/** Parameters of queued offline writes as msgpack bytes (the WAL's settings: exact int8 and numeric), stored and sent as they are. */
import { ValuePackr } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';

const packr = new ValuePackr();

export function encodeParams(params: readonly Value[]): Uint8Array {
  return packr.pack(params);
}

export function decodeParams(bytes: Uint8Array | null): Value[] {
  return bytes ? (packr.unpack(bytes) as Value[]) : [];
}
