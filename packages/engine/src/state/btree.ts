/**
 * sorted-btree is CommonJS with `__esModule`: Node's ESM loader hands over module.exports (the
 * class is at `.default`), bundlers hand over the class itself. One import site resolves both.
 */
import BTreeImport from 'sorted-btree';

type BTreeClass = typeof BTreeImport;
const loaded = BTreeImport as unknown as BTreeClass | { default: BTreeClass };
const BTree: BTreeClass = typeof loaded === 'function' ? loaded : loaded.default;

export default BTree;
export type { default as BTreeType } from 'sorted-btree';
