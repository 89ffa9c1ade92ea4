/**
 * A Jepsen-style history of client operations: every call is recorded when it is invoked and
 * when it completes — ok, fail (it certainly did not happen) or unknown (it may have) — and the
 * checker then says what a user could have seen go wrong: an acknowledged write that is missing,
 * or a read that returned a value no write could have produced.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Op {
  id: number;
  process: string;
  kind: 'write' | 'read';
  /** The value written, or the values a read returned. */
  value: number | number[] | undefined;
  outcome: Outcome | undefined;
  error?: string;
}

/** SQLSTATEs after which the statement certainly had no effect: refused before it reached the WAL. */
const DEFINITELY_NOT: ReadonlySet<string> = new Set(['25006', '23505', '25P02', '42P01']);

export class History {
  readonly ops: Op[] = [];

  invoke(process: string, kind: Op['kind'], value?: number): Op {
    const op: Op = { id: this.ops.length, process, kind, value, outcome: undefined };
    this.ops.push(op);
    return op;
  }

  /** Complete `op` from how its promise settled. */
  async complete<T>(op: Op, call: Promise<T>, read?: (result: T) => number[]): Promise<Outcome> {
    try {
      const result = await call;
      if (read) op.value = read(result);
      op.outcome = 'ok';
    } catch (e) {
      const code = (e as { code?: string }).code;
      const detail = (e as { detail?: string }).detail;
      op.error = `${code ?? ''} ${(e as Error).message}${detail ? ` (${detail})` : ''}`.trim();
      // refused before it reached the WAL: it failed; anything else (40003, 57014, XX001, a lost peer) may have committed
      op.outcome = op.kind === 'read' || (code !== undefined && DEFINITELY_NOT.has(code)) ? 'fail' : 'unknown';
    }
    return op.outcome;
  }

  /**
   * Check the history against the final state read after the run: every acknowledged write is
   * there, and no read (during the run or at the end) saw a value no write could have produced.
   */
  check(finalValues: readonly number[]): { lost: number[]; phantom: { op: number; value: number }[]; unknown: number } {
    const writes = this.ops.filter((o) => o.kind === 'write');
    const possible = new Set(writes.filter((o) => o.outcome !== 'fail').map((o) => o.value as number));
    const final = new Set(finalValues);
    const lost = writes.filter((o) => o.outcome === 'ok' && !final.has(o.value as number)).map((o) => o.value as number);
    const phantom: { op: number; value: number }[] = [];
    for (const r of this.ops.filter((o) => o.kind === 'read' && o.outcome === 'ok')) {
      for (const v of r.value as number[]) if (!possible.has(v)) phantom.push({ op: r.id, value: v });
    }
    for (const v of finalValues) if (!possible.has(v)) phantom.push({ op: -1, value: v });
    return { lost, phantom, unknown: writes.filter((o) => o.outcome === 'unknown').length };
  }
}
