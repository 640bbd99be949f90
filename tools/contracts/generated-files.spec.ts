import { readFileSync } from 'node:fs';
import { generatedFiles } from './generate-schemas';

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(missing)';
  }
};

describe('the generated contract files', () => {
  it('are what libs/contracts generates now (run npm run contracts:generate after a contract change)', () => {
    // given the committed schemas, AsyncAPI document and output-schema module
    // when they are generated again from libs/contracts
    const stale = Object.entries(generatedFiles())
      .filter(([path, text]) => read(path) !== text)
      .map(([path]) => path);
    // then none differs
    expect(stale).toEqual([]);
  }, 120_000);
});
