/** Ids on the wire: `[A-Za-z0-9._:-]`, 1-64 chars (`eventId` up to 128). */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export type MemberId = string;
export type StoreId = string;

export const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);
