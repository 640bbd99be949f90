// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoTokens } = require('./demo-token.cjs') as { demoTokens: (configured: string | undefined, fresh: string) => { tokens: string; demoToken?: string } };

describe("npm start's demo token", () => {
  it('is a fresh ops token the services are given when TALLY_API_TOKENS is not set', () => {
    expect(demoTokens(undefined, 'f00d')).toEqual({ tokens: 'f00d=ops', demoToken: 'f00d' });
    expect(demoTokens('  ', 'f00d')).toEqual({ tokens: 'f00d=ops', demoToken: 'f00d' });
  });

  it('is the first ops token of TALLY_API_TOKENS when it is set, which the services keep as they are', () => {
    expect(demoTokens('k7=store:sh-07, s3cret=ops,other=ops', 'f00d')).toEqual({ tokens: 'k7=store:sh-07, s3cret=ops,other=ops', demoToken: 's3cret' });
  });

  it('is none when TALLY_API_TOKENS names no ops token', () => {
    expect(demoTokens('r=read,k7=store:sh-07', 'f00d')).toEqual({ tokens: 'r=read,k7=store:sh-07', demoToken: undefined });
  });
});
