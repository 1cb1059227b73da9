/**
 * ISO-8601 dates as filters take them: `2026-03-07`, `2026-03-07T12:30`, `2026-03-07 12:30:15.25Z`,
 * `2026-03-07T12:30:00+02:00`. Without an offset the time is UTC. JavaScript's `Date.parse` also
 * takes `'1'` or `'March 7'` and Postgres does not, so only this form is accepted.
 */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

export const ISO_DATE_HELP = "an ISO-8601 date such as 2026-03-07, 2026-03-07T12:30 or 2026-03-07T12:30:00Z";

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Offset east of UTC in minutes, from `Z`, `+02`, `+0200` or `-02:30`; null when out of range. */
function offsetMinutes(text: string | undefined): number | null {
  if (text === undefined || text.toUpperCase() === "Z") return 0;
  const sign = text.startsWith("-") ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 15 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * Seconds since the Unix epoch (with the fraction, to the microsecond) of an ISO-8601 date, or
 * null when the text is not one or names a day or time that does not exist (2026-02-30, 24:00).
 */
export function isoDateToEpochSeconds(text: string): number | null {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    part === undefined ? 0 : Number(part),
  ) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = offsetMinutes(m[8]);
  if (offset === null) return null;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  const fraction = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1e6) / 1e6;
  return utc.getTime() / 1000 - offset * 60 + fraction;
}
