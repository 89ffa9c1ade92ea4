/**
 * The timetz type (time with time zone): a time of day and the zone it was written in, kept as
 * PostgreSQL keeps them (microseconds, seconds west of UTC). This file owns the value class,
 * timetz_in/out, its order (by the UTC instant, then by zone) and its arithmetic with intervals.
 */
import { Interval, USECS_PER_DAY } from './interval.ts';
import { formatTime, parseTimeOfDay, Time } from './time.ts';

export class TimeTz {
  constructor(readonly us: number, readonly zone: number) {}

  toString(): string {
    const east = -this.zone, abs = Math.abs(east);
    const h = Math.floor(abs / 3600), m = Math.floor(abs / 60) % 60, s = abs % 60;
    const two = (n: number) => String(n).padStart(2, '0');
    return `${formatTime(this.us)}${east < 0 ? '-' : '+'}${two(h)}${m || s ? `:${two(m)}` : ''}${s ? `:${two(s)}` : ''}`;
  }
}

/** timetz_in; a time without a zone is in the session's, UTC. */
export function parseTimeTz(text: string): TimeTz {
  const t = parseTimeOfDay(text, 'time with time zone');
  return new TimeTz(t.us, t.zone ?? 0);
}

/** timetz_cmp: the UTC instant first, then the zone, so only the same time in the same zone is equal. */
export function compareTimeTzs(a: TimeTz, b: TimeTz): number {
  return a.us + a.zone * 1_000_000 - (b.us + b.zone * 1_000_000) || a.zone - b.zone;
}

/** time(p) rounding, the zone kept. */
export const roundTimeTz = (t: TimeTz, round: (t: Time) => Time): TimeTz => new TimeTz(round(new Time(t.us)).us, t.zone);

/** timetz ± interval: the interval's time field, wrapped around midnight; the zone kept. */
export function addIntervalToTimeTz(t: TimeTz, iv: Interval, sign: 1 | -1): TimeTz {
  const us = (t.us + sign * (iv.micros % USECS_PER_DAY)) % USECS_PER_DAY;
  return new TimeTz(us < 0 ? us + USECS_PER_DAY : us, t.zone);
}
