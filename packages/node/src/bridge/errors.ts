/** The error a bridge stops with: a SQLSTATE, PostgreSQL-style message, and a hint saying what to do. */
export class BridgeError extends Error {
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
    this.name = 'BridgeError';
  }
}
