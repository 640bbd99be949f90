/**
 * What PostgreSQL cannot keep in a text: NUL (refused in `text`, and as `\u0000` in `jsonb`) and
 * lone UTF-16 surrogates (refused as `\ud800` escapes in `jsonb`, turned into U+FFFD in `text`).
 * In unicode mode a well-formed surrogate pair is one code point, so only a lone half matches.
 */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;
const EVERY_UNSTORABLE = /[\0\uD800-\uDFFF]/gu;

/** Whether `text` can be stored as it is in a PostgreSQL `text` or `jsonb` string. */
export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with each NUL and lone surrogate written out as its JSON escape (the six characters
 * `\u0000`, `\ud800`), the rest as it is: readable, and storable anywhere.
 */
export const storableText = (text: string): string => (isStorableText(text) ? text : text.replace(EVERY_UNSTORABLE, escaped));

/** In JSON text: an escaped backslash (skipped over), or the escape of NUL or of a lone surrogate. */
const UNSTORABLE_ESCAPE = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/gi;

/**
 * `JSON.stringify(value)` as a PostgreSQL `jsonb` accepts it: JSON.stringify writes NUL as `\u0000`
 * and a lone surrogate as `\ud800`, escapes jsonb refuses; each becomes the text of its escape, as
 * `storableText` writes it (object keys included). The rest is `JSON.stringify`'s text.
 */
export const storableJson = (value: unknown): string =>
  JSON.stringify(value).replace(UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : `\\${escape}`));
