/**
 * A table kept as the sealed chunks it arrived in (a stored checkpoint's at open, a base backup's
 * pieces on a standby) until something needs its rows: the chunks' CRCs are checked when they
 * come, but no row is decoded, so a 1M-row backup or reopen allocates nothing per row. The first
 * touch (`TableData.rows` / `indexes`: a read, a write, a WAL redo, DDL) decodes what is left and
 * builds the row tree and primary key (table-loader.ts), and the background builder
 * (state/index-builds.ts) decodes a chunk per step meanwhile; a statement that may touch the table
 * waits for those steps before it runs (`IndexBuilds.decoded`), so only callers that cannot wait
 * (WAL redo past its log's bound, a checkpoint or backup of written rows) decode in one task. One holder per loaded table, shared by
 * every copy of it (transactions' forks), so it is decoded once and each copy takes a
 * copy-on-write copy of the one result; a table is never seen half-built, as `take` finishes first.
 * A checkpoint or backup of a table still encoded sends its chunks as they are (`frozenRows`).
 */
import type { IndexDef, TableDef } from '../catalog/types.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import { noteDeferredBuild } from '../state/lazy-index.ts';
import type { DeferredRows, IndexData, RowTree, TableData } from '../state/state.ts';
import { ENVELOPE_HEADER, envelopeCrc, unseal } from '../storage/envelope.ts';
import { CHUNK_IDS, type ChunkPayload } from './format.ts';
import { TableLoader, type LoadedTableDef } from './table-loader.ts';

/** One sealed chunk of a table: rows with ids in [index·CHUNK_IDS, (index+1)·CHUNK_IDS), its envelope checked. */
export interface EncodedChunk {
  index: number;
  rows: number;
  bytes: Uint8Array;
}

/**
 * How many tables made in this realm are neither decoded nor failed: while none is, a statement
 * checks nothing before it runs (state/index-builds.ts `decoded`). One dropped while still
 * encoded stays counted: statements then look at the latest state's tables, which is still cheap.
 */
export let tablesStillEncoded = 0;

export class EncodedTable implements DeferredRows {
  /** Dropped once decoded: the table's trees hold the rows then. */
  private chunks: readonly EncodedChunk[] | undefined;
  private loader: TableLoader | undefined;
  private next = 0;
  private result: TableData | undefined;
  private failed: unknown;
  readonly size: number;
  /** The chunk indexes it holds, ascending (kept once decoded: a checkpoint or backup frozen before still names them). */
  readonly layout: readonly number[];
  scheduled = false;

  /** `chunks` in ascending `index` order; `what` names them in errors ("checkpoint chunk", "base backup"). */
  constructor(
    private readonly table: LoadedTableDef,
    chunks: readonly EncodedChunk[],
    private readonly what: string,
  ) {
    this.chunks = chunks;
    this.layout = chunks.map((c) => c.index);
    let size = 0;
    for (const c of chunks) size += c.rows;
    this.size = size;
    tablesStillEncoded++;
    noteDeferredBuild();
  }

  get indexDefs(): IndexDef[] {
    return this.table.indexes;
  }

  get done(): boolean {
    return this.result !== undefined;
  }

  /** Chunk `index` as sealed, while the table is not decoded; once it is, `loaded` holds the same rows. */
  sealed(index: number): EncodedChunk | undefined {
    const chunks = this.result ? undefined : this.chunks;
    if (!chunks) return undefined;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (c.index === index) return c;
      if (c.index < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The rows as loaded, once decoded: no table writes this tree (each took a copy), so it is what the chunks held. */
  get loaded(): RowTree | undefined {
    return this.result?.rows;
  }

  step(): boolean {
    if (this.result) return true;
    if (this.failed !== undefined) throw this.failed;
    try {
      const chunks = this.chunks!;
      this.loader ??= new TableLoader(this.table);
      if (this.next < chunks.length) this.decode(chunks[this.next++]!);
      if (this.next >= chunks.length) {
        this.result = this.loader.finish();
        tablesStillEncoded--;
        // decoded in the background or not, its other indexes are the background builder's next work: a scan meanwhile reads the rows
        if (this.scheduled) for (const ix of this.result.indexes) if (ix.deferredBuild) ix.deferredBuild.scheduled = true;
        this.chunks = undefined;
        this.loader = undefined;
      }
    } catch (e) {
      // the loader holds part of the table now: every later touch reports the same error, none sees the part
      this.failed = e;
      this.loader = undefined;
      tablesStillEncoded--;
      throw e;
    }
    return this.done;
  }

  take(def: TableDef): { rows: RowTree; indexes: IndexData[] } {
    while (!this.step());
    const t = this.result!;
    return { rows: t.rows.clone(), indexes: t.indexes.map((ix) => ix.clone(def)) };
  }

  private decode(c: EncodedChunk): void {
    // its CRC was checked when it came (`checkSealed`); the body is decoded only now
    let p: ChunkPayload;
    try {
      p = unseal<ChunkPayload>(c.bytes, this.what, envelopeCrc(c.bytes));
    } catch {
      throw this.malformed(c);
    }
    const { ids, rows } = p ?? ({} as Partial<ChunkPayload>);
    if (!Array.isArray(ids) || !Array.isArray(rows) || ids.length !== c.rows || rows.length !== c.rows || !rows.every(Array.isArray)) throw this.malformed(c);
    let last = c.index * CHUNK_IDS - 1;
    for (const id of ids) {
      if (!(id > last)) throw this.malformed(c);
      last = id;
    }
    if (last >= (c.index + 1) * CHUNK_IDS) throw this.malformed(c);
    this.loader!.add({ ids, rows });
  }

  private malformed(c: EncodedChunk): SqlError {
    return new SqlError(SQLSTATE.data_corrupted, `invalid ${this.what}: chunk ${c.index} of table "${this.table.def.name}" is malformed`);
  }
}

/**
 * A table's rows as a checkpoint or backup freezes them: a table still encoded as loaded (its
 * chunks as sealed while it stays encoded, then `loaded`, the same rows decoded: what holds them
 * is never kept beside them), or a copy-on-write clone of its tree.
 */
export type RowSource = RowTree | EncodedTable;

export function frozenRows(t: TableData): RowSource {
  const e = t.encodedAsLoaded;
  return e instanceof EncodedTable ? e : t.rows.clone();
}

export function isEncoded(src: RowSource): src is EncodedTable {
  return src instanceof EncodedTable;
}

/** The rows of `src`, once no chunk of it is to be sent as sealed. */
export function rowsOf(src: RowSource): RowTree {
  return isEncoded(src) ? src.loaded! : src;
}

/**
 * How many rows a sealed chunk holds, read from the head of its body (msgpack: a map whose first
 * key is `ids`, then that array's length) without decoding it; `'header'` for a backup's header
 * (first key `k`); undefined when it is neither. A body laid out otherwise is decoded to tell.
 */
export function chunkRows(sealed: Uint8Array): number | 'header' | undefined {
  const b = sealed.subarray(ENVELOPE_HEADER);
  // a map of 2 ({ids, rows}: fixmap, or map16 as msgpackr writes it), then fixstr "ids"
  const at = b[0] === 0x82 ? 1 : b[0] === 0xde && b[1] === 0 && b[2] === 2 ? 3 : -1;
  if (at > 0 && b.length > at + 9 && b[at] === 0xa3 && b[at + 1] === 0x69 && b[at + 2] === 0x64 && b[at + 3] === 0x73) {
    const i = at + 4;
    const t = b[i]!;
    if (t >= 0x90 && t <= 0x9f) return t - 0x90;
    if (t === 0xdc) return (b[i + 1]! << 8) | b[i + 2]!;
    if (t === 0xdd) return ((b[i + 1]! << 24) >>> 0) + ((b[i + 2]! << 16) | (b[i + 3]! << 8) | b[i + 4]!);
  }
  let piece: unknown;
  try {
    piece = unseal(sealed, 'base backup', envelopeCrc(sealed));
  } catch {
    return undefined;
  }
  if (!piece || typeof piece !== 'object') return undefined;
  if ('k' in piece) return 'header';
  const { ids } = piece as Partial<ChunkPayload>;
  return Array.isArray(ids) ? ids.length : undefined;
}
