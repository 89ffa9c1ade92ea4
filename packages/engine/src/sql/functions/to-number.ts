/**
 * to_number(text, format): the digit positions (9, 0), decimal point (. or D), group separators
 * (, or G), signs (S, MI, PL, SG, PR), currency (L) and FM of PostgreSQL's number formats. The
 * format's digit positions bound what is read, and its digits after the point give the result's
 * scale, as in formatting.c. Other format codes (V, EEEE, RN, TH, B, literal text) are refused.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { Overload } from '../functions.ts';
import { Numeric } from '../numeric.ts';

interface NumberFormat { pre: number; post: number; point: boolean; angle: boolean; sign: boolean; group: boolean }

function parseFormat(fmt: string): NumberFormat {
  let pre = 0, post = 0, point = false, angle = false, sign = false, group = false;
  const f = fmt.toUpperCase();
  for (let i = 0; i < f.length;) {
    const rest = f.slice(i);
    const tok = /^(FM|PR|MI|PL|SG|9|0|\.|D|,|G|S|L| )/.exec(rest)?.[0];
    if (!tok) throw featureNotSupported(`to_number format "${fmt}"`);
    if (tok === '9' || tok === '0') {
      if (point) post++;
      else pre++;
    } else if (tok === '.' || tok === 'D') {
      if (point) throw new SqlError(SQLSTATE.syntax_error, 'multiple decimal points');
      point = true;
    } else if (tok === 'PR') angle = true;
    else if (tok === ',' || tok === 'G') group = true;
    else if (tok === 'S' || tok === 'MI' || tok === 'PL' || tok === 'SG') sign = true;
    i += tok.length;
  }
  return { pre, post, point, angle, sign, group };
}

function toNumber(text: string, fmt: string): Numeric {
  const { pre, post, point, angle, sign, group } = parseFormat(fmt);
  if (!/[\d.]/.test(text) && pre + post > 0) throw new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type numeric: " "');
  // PostgreSQL reads the input position by position against the format; where other characters
  // sit between the digits, or a point the format lacks, its reading is not reproduced here
  const junk = /[^\d.,\s$+\-<>]/.test(text) || (text.match(/\./g) ?? []).length > 1 || (!point && text.includes('.'))
    || (!angle && /[<>]/.test(text)) || (!group && text.includes(',')) || /\d[\s$<>+]*-[\s$<>+]*\d/.test(text);
  if (junk) throw featureNotSupported(`to_number of "${text}" with format "${fmt}"`);
  const first = text.search(/\d/), last = text.length - 1 - [...text].reverse().join('').search(/\d/);
  // a minus sign before the digits, or after them where the format has a sign code; elsewhere it is skipped
  const negative = (first >= 0 && text.slice(0, first).includes('-')) || (first >= 0 && sign && text.slice(last + 1).includes('-'))
    || (angle && /^\s*<.*>\s*$/.test(text));
  const at = text.indexOf('.');
  const whole = (at < 0 ? text : text.slice(0, at)).replace(/\D/g, '');
  const frac = at < 0 || post === 0 ? '' : text.slice(at + 1).replace(/\D/g, '').slice(0, post);
  if (point && whole.length > pre) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'numeric field overflow', {
      detail: `A field with precision ${pre + frac.length}, scale ${frac.length} must round to an absolute value less than 10^${pre}.`,
    });
  }
  const digits = whole.slice(0, pre);
  if (digits === '' && frac === '') {
    if (pre + post === 0) throw featureNotSupported(`to_number format "${fmt}" without digits`);
    throw new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type numeric: " "');
  }
  // the scale is the digits read after the point
  return Numeric.parse(`${negative ? '-' : ''}${digits || '0'}${frac ? `.${frac}` : ''}`)!;
}

export const TO_NUMBER_FUNCTIONS: Record<string, Overload[]> = {
  to_number: [{ params: ['text', 'text'], ret: 'numeric', fn: ([s, f]) => toNumber(s as string, f as string) }],
};
