/**
 * sorted-btree is CommonJS with `__esModule`: Node's ESM loader hands over module.exports (the
 * class is at `.default`), bundlers hand over the class itself. One import site resolves both.
 */
import BTreeImport from 'sorted-btree';
import { appendWithoutSiblingCopy } from './btree-append.ts';

type BTreeClass = typeof BTreeImport;
const loaded = BTreeImport as unknown as BTreeClass | { default: BTreeClass };
const BTree: BTreeClass = typeof loaded === 'function' ? loaded : loaded.default;
appendWithoutSiblingCopy(BTree);

export default BTree;

/**
 * Entries per node of every table and index tree (sorted-btree's default is 32). A leaf that
 * splits keeps half its entries and grows its arrays by half plus 16 slots: at 32 a full leaf's
 * arrays carry 9 unused slots of 41, at 64 one of 65, and random inserts leave fewer part-empty
 * leaves — 23 → 19 bytes per entry appended in key order, 30 → 21 at random (1M entries).
 */
export const NODE_SIZE = 64;
export type { default as BTreeType } from 'sorted-btree';
