// Which token `npm start`'s demo reads balances and redeems with. Without TALLY_API_TOKENS the run
// gets one ops token of its own; with it, the demo must use a token the services know: the first
// ops token there, else none (the demo then says why it shows no balances).
const opsTokenOf = (spec) => {
  for (const entry of spec.split(',')) {
    const at = entry.lastIndexOf('=');
    if (at > 0 && entry.slice(at + 1).trim() === 'ops') return entry.slice(0, at).trim();
  }
  return undefined;
};

/** `{tokens, demoToken}`: the services' TALLY_API_TOKENS, and the demo's token (undefined: none usable). */
const demoTokens = (configured, fresh) =>
  configured === undefined || configured.trim() === ''
    ? { tokens: `${fresh}=ops`, demoToken: fresh }
    : { tokens: configured, demoToken: opsTokenOf(configured) };

module.exports = { demoTokens, opsTokenOf };
