/**
 * A byte-per-character text that values are written to and read back from in order: a whole
 * record in one string V8 keeps without a pointer inside (the collector neither traces nor copies
 * its parts), instead of a graph of objects. Every character is below 256, so V8 stores one byte
 * a character; a string with a character outside Latin-1 is written as its UTF-16 code units, two
 * characters each, so that any string (a lone surrogate too) is read back as it was.
 */
export class CompactWriter {
  private bytes = Buffer.allocUnsafe(4096);
  private at = 0;
  /** The previous instant written: a record's lots often share their expiry. */
  private lastInstant: string | undefined;

  /** Starts a new text (the buffer is reused: a writer serves one record at a time). */
  begin(): this {
    this.at = 0;
    this.lastInstant = undefined;
    return this;
  }

  /** What was written since `begin`. */
  text(): string {
    return this.bytes.toString('latin1', 0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.at + n));
    this.bytes.copy(larger, 0, 0, this.at);
    this.bytes = larger;
  }

  /** A whole number from 0 to 2^53, seven bits a character, the low ones first. */
  uint(value: number): void {
    this.room(8);
    let v = value;
    while (v >= 128) {
      this.bytes[this.at++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.at++] = v;
  }

  /** Any number, exactly: whole ones as a tagged varint, the rest (fractions, -0, NaN, huge) as their text. */
  number(n: number): void {
    if (Number.isInteger(n) && Math.abs(n) <= MAX_WHOLE && !Object.is(n, -0)) this.uint(n >= 0 ? n * 4 : -n * 4 - 2);
    else {
      this.uint(1);
      this.string(Object.is(n, -0) ? '-0' : String(n));
    }
  }

  /** A string, its length first; one with a character above 255 as its code units. */
  string(s: string): void {
    const start = this.at;
    this.uint(s.length * 2);
    this.room(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) {
        this.at = start;
        return this.wide(s);
      }
      this.bytes[this.at++] = c;
    }
  }

  private wide(s: string): void {
    this.uint(s.length * 2 + 1);
    this.room(2 * s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.bytes[this.at++] = c >> 8;
      this.bytes[this.at++] = c & 255;
    }
  }

  /** An ISO instant: as milliseconds when `toISOString` writes it so, else as its text. */
  instant(s: string): void {
    if (s === this.lastInstant) return this.uint(SAME_INSTANT);
    this.lastInstant = s;
    const ms = canonicalInstantMs(s);
    if (ms === undefined) {
      this.uint(TEXT);
      this.string(s);
    } else this.uint(ms + FIRST_MS_TAG);
  }

  /** A `YYYY-MM-DD` day: as days since 1970 when it is a real one, else as its text. */
  day(s: string): void {
    const n = dayNumber(s);
    if (n === undefined) {
      this.uint(TEXT);
      this.string(s);
    } else this.uint(n + 1);
  }
}

export class CompactReader {
  at = 0;
  private lastInstant: string | undefined;

  constructor(readonly text: string) {}

  uint(): number {
    let v = 0;
    let scale = 1;
    let c: number;
    do {
      c = this.text.charCodeAt(this.at++);
      v += (c & 127) * scale;
      scale *= 128;
    } while (c >= 128);
    return v;
  }

  number(): number {
    const v = this.uint();
    if (v % 2 === 1) return Number(this.string());
    return v % 4 === 0 ? v / 4 : -(v + 2) / 4;
  }

  string(): string {
    const v = this.uint();
    const length = Math.floor(v / 2);
    if (v % 2 === 1) return this.wide(length);
    const s = this.text.slice(this.at, this.at + length);
    this.at += length;
    return s;
  }

  private wide(length: number): string {
    const units: number[] = [];
    for (let i = 0; i < length; i++, this.at += 2) units.push(this.text.charCodeAt(this.at) * 256 + this.text.charCodeAt(this.at + 1));
    let text = '';
    // In slices: a call's arguments live on the stack.
    for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
    return text;
  }

  /** Whether the next string is exactly `s` (read past it either way). */
  stringIs(s: string): boolean {
    const at = this.at;
    const v = this.uint();
    if (v % 2 === 0 && Math.floor(v / 2) === s.length && this.text.startsWith(s, this.at)) {
      this.at += s.length;
      return true;
    }
    this.at = at;
    return this.string() === s;
  }

  instant(): string {
    const v = this.uint();
    if (v === SAME_INSTANT) return this.lastInstant as string;
    this.lastInstant = v === TEXT ? this.string() : isoInstant(v - FIRST_MS_TAG);
    return this.lastInstant;
  }

  day(): string {
    const v = this.uint();
    return v === TEXT ? this.string() : dayText(v - 1);
  }

  get done(): boolean {
    return this.at >= this.text.length;
  }
}

/** Whole numbers up to this are written as varints (their tagged form stays below 2^53). */
const MAX_WHOLE = 2 ** 50;
const TEXT = 0;
const SAME_INSTANT = 1;
const FIRST_MS_TAG = 2;
const MS_PER_DAY = 86_400_000;

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const daysIn = (year: number, month: number): number =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1];

/** Days since 1970 of the `YYYY-MM-DD` at `from`, from 1970 to 9999 and one that exists; undefined otherwise. */
const dayNumberAt = (s: string, from: number): number | undefined => {
  if (s.charCodeAt(from + 4) !== 45 || s.charCodeAt(from + 7) !== 45) return undefined;
  const year = digits(s, from, from + 4);
  const month = digits(s, from + 5, from + 7);
  const day = digits(s, from + 8, from + 10);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
};

const dayNumber = (s: string): number | undefined => (s.length === 10 ? dayNumberAt(s, 0) : undefined);

/** Milliseconds of an instant exactly as `toISOString` writes it (1970 to 9999), undefined for any other text. */
const canonicalInstantMs = (s: string): number | undefined => {
  if (s.length !== 24 || s.charCodeAt(10) !== 84 || s.charCodeAt(23) !== 90) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return undefined;
  const day = dayNumberAt(s, 0);
  const hours = digits(s, 11, 13);
  const minutes = digits(s, 14, 16);
  const seconds = digits(s, 17, 19);
  const millis = digits(s, 20, 23);
  if (day === undefined || hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59 || millis < 0) return undefined;
  return day * MS_PER_DAY + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
};

/**
 * Day texts by day number, made once: members of one programme share their days, so a decoded
 * state points at the same few strings instead of new ones. Emptied when it grows past a few
 * years of days, which only a replay of a long history reaches.
 */
const DAY_TEXTS = new Map<number, string>();
const MAX_DAY_TEXTS = 4096;

const dayText = (n: number): string => {
  let text = DAY_TEXTS.get(n);
  if (text === undefined) {
    if (DAY_TEXTS.size >= MAX_DAY_TEXTS) DAY_TEXTS.clear();
    text = new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
    DAY_TEXTS.set(n, text);
  }
  return text;
};

const D0 = 48;
/** The character codes of a two-digit number's digits. */
const tens = (n: number) => D0 + Math.floor(n / 10);
const ones = (n: number) => D0 + (n % 10);

/**
 * `new Date(ms).toISOString()` for 1970 to 9999, written out here: the built-in took a
 * microsecond an instant, most of the time of decoding a state with a few lots. One flat string
 * made from its characters at once (concatenated parts would be a tree of strings until flattened).
 */
export const isoInstant = (ms: number): string => {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  // Days to a civil date (H. Hinnant's algorithm), from 1970-01-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  const century = Math.floor(year / 100);
  // prettier-ignore
  return String.fromCharCode(
    tens(century), ones(century), tens(year % 100), ones(year % 100), 45, tens(month), ones(month), 45, tens(day), ones(day),
    84, tens(hours), ones(hours), 58, tens(minutes), ones(minutes), 58, tens(seconds), ones(seconds),
    46, D0 + Math.floor(millis / 100), tens(millis % 100), ones(millis % 100), 90,
  );
};
