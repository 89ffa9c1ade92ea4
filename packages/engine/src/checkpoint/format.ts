/**
 * The on-disk shape of an incremental checkpoint. Where a whole snapshot used to be stored, the
 * checkpoint stores a sealed manifest (catalog, sequences and, per table, the chunks holding its
 * rows); each chunk is sealed on its own and holds the rows of CHUNK_IDS consecutive row ids.
 * The manifest carries its own layout version on top of the envelope's: an unknown one is refused
 * rather than guessed at. A payload without the `chunked` field is a whole snapshot (the earlier
 * format, and what rewinds still store) and loads as before. A base backup is stored in this
 * shape, its pieces being the chunks (replication/backup-install.ts), and is sent from it: the
 * last checkpoint's manifest and chunks as stored (checkpoint/backup-stream.ts).
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { IndexDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { Snapshot } from '../state/snapshot.ts';
import type { RowId } from '../wal/record.ts';

export const MANIFEST_VERSION = 1;
/** Row ids per chunk: small enough to encode within one slice, large enough to keep keys few. */
export const CHUNK_IDS = 2048;

export interface ChunkRef {
  /** floor(row id / CHUNK_IDS) of every row in the chunk */
  index: number;
  key: string;
  rows: number;
  /** Its sealed size, where it was stored sealed (absent in manifests written before): a base backup sends it only whole. */
  bytes?: number;
}

export interface TableManifest {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
  /** in ascending `index` order */
  chunks: ChunkRef[];
}

export interface Manifest {
  chunked: number;
  nextOid: number;
  members: string[];
  tables: TableManifest[];
  sequences: Snapshot['sequences'];
  types?: Snapshot['types'];
  schemas?: Snapshot['schemas'];
  functions?: Snapshot['functions'];
  domains?: Snapshot['domains'];
  pgCatalog?: Snapshot['pgCatalog'];
}

export interface ChunkPayload {
  ids: RowId[];
  rows: Value[][];
}

export function chunkOf(id: RowId): number {
  return Math.floor(id / CHUNK_IDS);
}

export function isManifest(payload: Manifest | Snapshot): payload is Manifest {
  return 'chunked' in payload;
}

export function checkManifestVersion(m: Manifest): void {
  if (m.chunked !== MANIFEST_VERSION) {
    throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', {
      detail: `The checkpoint was written with chunk layout version ${m.chunked}, but this build of walrtc supports version ${MANIFEST_VERSION}.`,
    });
  }
}
