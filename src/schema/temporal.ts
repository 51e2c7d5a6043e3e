// Calendar arithmetic and the text forms Cassandra accepts and prints for timestamp, date, time
// and duration. Proleptic Gregorian calendar in UTC (Cassandra uses the node's zone for timestamps
// without an offset; Cassia nodes always use UTC). No Date objects on the parsing path, so years
// far outside JavaScript's Date range still work.

export const MS_PER_DAY = 86_400_000;
export const NANOS_PER_DAY = 86_400_000_000_000n;
export const NANOS_PER_MS = 1_000_000n;
/** Serialized `date` is an unsigned 32-bit day count with the Unix epoch at 2^31. */
export const DATE_EPOCH_OFFSET = 0x80000000;
export const DATE_DAYS_MIN = -DATE_EPOCH_OFFSET;
export const DATE_DAYS_MAX = DATE_EPOCH_OFFSET - 1;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

function validCivil(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const TIMESTAMP_TEXT =
  /^([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Milliseconds since the epoch for timestamp text, or null when the text has no accepted form.
 * Accepted: an integer (milliseconds), or yyyy-mm-dd, optionally followed by ' ' or 'T' and
 * hh:mm[:ss[.fff]], optionally followed by a zone Z, +hh, +hhmm or +hh:mm. No zone means UTC.
 * Fractions beyond milliseconds are truncated.
 */
export function parseTimestampText(text: string): number | null {
  const trimmed = text.trim();
  if (/^[+-]?\d+$/.test(trimmed)) return Number(BigInt(trimmed)) ;
  const m = TIMESTAMP_TEXT.exec(trimmed);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validCivil(year, month, day)) return null;
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offsetMinutes = m[8] === undefined ? 0 : parseZoneMinutes(m[8]);
  if (offsetMinutes === null) return null;
  const days = daysFromCivil(year, month, day);
  return days * MS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

function parseZoneMinutes(zone: string): number | null {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Splits ms since the epoch into a civil date and time of day in UTC. */
export function splitTimestamp(ms: number): { year: number; month: number; day: number; hour: number; minute: number; second: number; millis: number } {
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year, month, day,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    millis: msOfDay % 1000,
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

export function formatCivilDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * Timestamp text as `yyyy-mm-dd<sep>hh:mm:ss.fff<zone>`, e.g. separator 'T' and zone 'Z' for CQL
 * literals, ' ' and 'Z' for JSON.
 */
export function formatTimestamp(ms: number, options: { separator: string; zone: string; fractionDigits: 3 | 6 }): string {
  const t = splitTimestamp(ms);
  const fraction = pad(t.millis, 3).padEnd(options.fractionDigits, '0');
  return `${formatCivilDate(t.year, t.month, t.day)}${options.separator}${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${fraction}${options.zone}`;
}

const DATE_TEXT = /^([+-]?\d{1,})-(\d{1,2})-(\d{1,2})$/;

/**
 * Days since the epoch (signed) for date text: yyyy-mm-dd, or a bare integer that is the raw
 * unsigned serialized day count (2^31 = 1970-01-01), as Cassandra's SimpleDateType. Null if invalid;
 * RangeError when outside the representable days.
 */
export function parseDateText(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const raw = Number(trimmed);
    if (raw > 0xffffffff) throw new RangeError(`Input date ${text} is out of bounds`);
    return raw - DATE_EPOCH_OFFSET;
  }
  const m = DATE_TEXT.exec(trimmed);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validCivil(year, month, day)) return null;
  const days = daysFromCivil(year, month, day);
  if (days < DATE_DAYS_MIN || days > DATE_DAYS_MAX) throw new RangeError(`Input date ${text} is out of bounds`);
  return days;
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return formatCivilDate(year, month, day);
}

const TIME_TEXT = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?$/;

/** Nanoseconds since midnight for time text hh:mm:ss[.fffffffff] or a bare integer of nanoseconds. */
export function parseTimeText(text: string): bigint | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const nanos = BigInt(trimmed);
    return nanos < NANOS_PER_DAY ? nanos : null;
  }
  const m = TIME_TEXT.exec(trimmed);
  if (m === null) return null;
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (hour > 23 || minute > 59 || second > 59) return null;
  const fraction = BigInt((m[4] ?? '').padEnd(9, '0'));
  return (BigInt((hour * 60 + minute) * 60 + second) * 1_000_000_000n) + fraction;
}

/** hh:mm:ss.fffffffff */
export function formatTime(nanos: bigint): string {
  const seconds = Number(nanos / 1_000_000_000n);
  const fraction = nanos % 1_000_000_000n;
  return `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}.${fraction.toString().padStart(9, '0')}`;
}
