/**
 * SqlError across the worker boundary. comlink rebuilds a thrown error as a plain Error with only
 * name, message and stack, and structured cloning drops an Error's own fields; both would lose
 * the SQLSTATE. These handlers carry code, message, detail, hint and position, thrown or passed
 * as a value, in either direction. Importing this module installs them (both sides import it).
 */
import * as Comlink from 'comlink';
import { SqlError } from '../errors.ts';

interface WireSqlError {
  code: string;
  message: string;
  extra: { detail?: string; hint?: string; position?: number };
  stack?: string;
}

export type WireThrown =
  | { kind: 'sql'; error: WireSqlError }
  | { kind: 'error'; error: { name: string; message: string; stack?: string } }
  | { kind: 'value'; value: unknown };

function toWire(e: SqlError): WireSqlError {
  return { code: e.code, message: e.message, extra: { ...e.extra }, stack: e.stack };
}

function fromWire(w: WireSqlError): SqlError {
  const e = new SqlError(w.code, w.message, w.extra);
  if (w.stack) e.stack = w.stack;
  return e;
}

/** An error carried inside a returned value (a RunOutcome), where comlink's handlers do not reach. */
export function errorToWire(value: unknown): WireThrown {
  if (value instanceof SqlError) return { kind: 'sql', error: toWire(value) };
  if (value instanceof Error) return { kind: 'error', error: { name: value.name, message: value.message, stack: value.stack } };
  return { kind: 'value', value };
}

export function errorFromWire(w: WireThrown): unknown {
  if (w.kind === 'sql') return fromWire(w.error);
  if (w.kind === 'error') return Object.assign(new Error(w.error.message), w.error);
  return w.value;
}

// comlink's own throw handler recognises its wrapper by a marker symbol it does not export
const throwMarker = [...Comlink.transferHandlers.entries()].find(([name]) => name === 'throw')?.[1];

const throwHandler: Comlink.TransferHandler<{ value: unknown }, WireThrown> = {
  canHandle: (v): v is { value: unknown } => throwMarker !== undefined && throwMarker.canHandle(v),
  serialize: ({ value }) => [errorToWire(value), []],
  deserialize(w) {
    throw errorFromWire(w);
  },
};

const valueHandler: Comlink.TransferHandler<SqlError, WireSqlError> = {
  canHandle: (v): v is SqlError => v instanceof SqlError,
  serialize: (e) => [toWire(e), []],
  deserialize: fromWire,
};

Comlink.transferHandlers.set('throw', throwHandler as Comlink.TransferHandler<unknown, unknown>);
Comlink.transferHandlers.set('SqlError', valueHandler as Comlink.TransferHandler<unknown, unknown>);
