import { parseApiTokens } from './api-tokens';

describe('parseApiTokens', () => {
  it('has no tokens and no problems when unset or blank', () => {
    expect(parseApiTokens(undefined)).toEqual({ tokens: new Map(), problems: [] });
    expect(parseApiTokens('  ')).toEqual({ tokens: new Map(), problems: [] });
  });

  it('reads ops, read and store roles, trimming spaces', () => {
    const { tokens, problems } = parseApiTokens(' a=ops , b=read,c=store:sh-07 ');
    expect(problems).toEqual([]);
    expect(tokens.get('a')).toEqual({ kind: 'ops' });
    expect(tokens.get('b')).toEqual({ kind: 'read' });
    expect(tokens.get('c')).toEqual({ kind: 'store', storeId: 'sh-07' });
  });

  it('takes the role after the last "=", so tokens may end in base64 padding', () => {
    expect(parseApiTokens('dG9rZW4==ops').tokens.get('dG9rZW4=')).toEqual({ kind: 'ops' });
  });

  it('lists every malformed entry by position', () => {
    const { problems } = parseApiTokens('noequals,=ops,x=admin,y=store:,z=store:bad id,a=ops,a=read,');
    expect(problems).toEqual([
      'entry 1: expected token=role',
      'entry 2: the token is empty',
      'entry 3: unknown role "admin" (expected ops, read, app or store:<storeId>)',
      'entry 4: store id "" is not a valid id ([A-Za-z0-9._:-], 1-64 chars)',
      'entry 5: store id "bad id" is not a valid id ([A-Za-z0-9._:-], 1-64 chars)',
      'entry 7: the same token appears twice',
      'entry 8: expected token=role',
    ]);
  });
});
