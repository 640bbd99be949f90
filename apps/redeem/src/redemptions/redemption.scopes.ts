/** Idempotency scopes (`causations.scope`) of the redemption requests. */
export const REDEMPTION_SCOPE = 'redemption';
export const REVERSE_SCOPE = 'redemption-reverse';
