/**
 * Statements of the regression files walrtc answers too slowly to run in the suite (a nested
 * loop over tenk1 × tenk1 where PostgreSQL plans a semi-join or a hash): the harness does not run
 * them and counts them as failed (`error`, SQLSTATE `57014`, PostgreSQL's query_canceled), so
 * they stay in the denominator. Keyed by area and statement hash; the time is on an idle machine.
 */
export const TOO_SLOW: Readonly<Record<string, string>> = {
};

export function tooSlow(area: string, hash: string): string | undefined {
  return TOO_SLOW[`${area} ${hash}`];
}
