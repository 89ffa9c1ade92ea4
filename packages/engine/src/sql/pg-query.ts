/**
 * The binding to PostgreSQL's parser compiled to WebAssembly (libpg-query's emscripten build).
 * Owns finding and compiling the .wasm, instantiating it once per realm, and the one call the
 * engine makes (parse to JSON). libpg-query's own entry is not used: it instantiates at import,
 * looking for the .wasm beside `document.currentScript`, which ES modules and bundlers do not
 * have. Here the default is `new URL('./libpg-query.wasm', import.meta.url)`, which Vite,
 * webpack 5, Rollup and Parcel turn into an emitted asset without configuration; other setups
 * pass a URL or a compiled WebAssembly.Module (`parserWasm`).
 */
import createPgQuery, { type PgQueryModule } from 'libpg-query/wasm/libpg-query.js';

/** Where the parser's WebAssembly comes from: a URL (string or URL), its bytes, or a compiled module. */
export type ParserWasm = string | URL | BufferSource | WebAssembly.Module;

/** libpg-query's message and 0-based cursor position, as its own entry reports them. */
export interface PgQueryError extends Error {
  sqlDetails: { message: string; cursorPosition: number };
}

let instance: Promise<PgQueryModule> | undefined;

/** Load the parser once; later calls (with any `wasm`) share the first load. */
export function loadPgQuery(wasm?: ParserWasm): Promise<void> {
  instance ??= instantiate(wasm ?? new URL('./libpg-query.wasm', import.meta.url));
  instance.catch(() => (instance = undefined)); // a failed load may be retried, e.g. with another `wasm`
  return instance.then(() => {});
}

let ready: PgQueryModule | undefined;

async function instantiate(source: ParserWasm): Promise<PgQueryModule> {
  const module = await compile(source);
  ready = await createPgQuery({
    instantiateWasm(imports, receive) {
      void WebAssembly.instantiate(module, imports).then((i) => receive(i));
      return {};
    },
  });
  return ready;
}

async function compile(source: ParserWasm): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source !== 'string' && !(source instanceof URL)) return WebAssembly.compile(source);
  const url = new URL(source, globalThis.location?.href);
  const bytes = url.protocol === 'file:' ? await readFile(url) : await download(url);
  // a dev server's fallback page instead of the file: say so, rather than "expected magic word"
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error(`walrtc: ${url.href} is not the SQL parser's WebAssembly (libpg-query.wasm); serve that file there or pass parserWasm`);
  }
  return WebAssembly.compile(bytes);
}

async function download(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`walrtc: could not load the SQL parser's WebAssembly from ${url.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Node (and Deno, Bun): read through the runtime's fs, found without an import a browser bundler would follow. */
async function readFile(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.('node:fs/promises') as
    | { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> }
    | undefined;
  if (!fs) throw new Error(`walrtc: cannot read ${url.href} here (no fs); pass parserWasm as bytes or a WebAssembly.Module`);
  return fs.readFile(url);
}

/** Parse to libpg-query's JSON parse tree; throws a PgQueryError on a syntax error. */
export function parseToJson(sql: string): { stmts?: unknown[] } {
  const m = ready;
  if (!m) throw new Error('walrtc: the SQL parser is not loaded (openNode loads it)');
  const length = m.lengthBytesUTF8(sql) + 1;
  const sqlPtr = m._malloc(length);
  let result = 0;
  try {
    m.stringToUTF8(sql, sqlPtr, length);
    result = m._wasm_parse_query_raw(sqlPtr);
    if (!result) throw new Error('walrtc: the SQL parser is out of memory');
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const tree = m.getValue(result, 'i32');
    const error = m.getValue(result + 8, 'i32');
    if (error) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; }
      const messagePtr = m.getValue(error, 'i32');
      const cursor = m.getValue(error + 16, 'i32');
      const message = messagePtr ? m.UTF8ToString(messagePtr) : 'syntax error';
      throw Object.assign(new Error(message), { sqlDetails: { message, cursorPosition: cursor > 0 ? cursor - 1 : 0 } }) as PgQueryError;
    }
    return JSON.parse(m.UTF8ToString(tree)) as { stmts?: unknown[] };
  } finally {
    m._free(sqlPtr);
    if (result) m._wasm_free_parse_result(result);
  }
}
