export const EXPIRY_SCOPE = 'expiry';
/** Members per ledger transaction (and per reminder round). */
export const SWEEP_BATCH = 500;
