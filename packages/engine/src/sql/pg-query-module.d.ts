// Types for the part of libpg-query's emscripten module (plain JavaScript, no types) pg-query.ts uses.

declare module 'libpg-query/wasm/libpg-query.js' {
  export interface PgQueryModule {
    lengthBytesUTF8(s: string): number;
    stringToUTF8(s: string, ptr: number, max: number): void;
    UTF8ToString(ptr: number): string;
    getValue(ptr: number, type: 'i32'): number;
    _malloc(n: number): number;
    _free(ptr: number): void;
    _wasm_parse_query_raw(sqlPtr: number): number;
    _wasm_free_parse_result(ptr: number): void;
  }
  const createPgQuery: (options: {
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): object;
  }) => Promise<PgQueryModule>;
  export default createPgQuery;
}
