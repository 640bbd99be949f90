import { BulkParams, textArray } from './bulk-params';

describe('bulk parameters', () => {
  it('writes one array literal per column, quoting only what needs it (bytea from a Buffer or from hex)', () => {
    const bulk = new BulkParams();
    const sql = bulk.unnest(
      [
        { id: 'm-1', n: 5, ok: true, data: '["a","b\\\\c"]', hash: Buffer.from([0xab, 0x01]) },
        { id: 'null', n: null, ok: false, data: null, hash: null },
        { id: 'x', n: 0, ok: true, data: '{}', hash: 'ab02' },
      ],
      [
        { name: 'id', type: 'text' },
        { name: 'n', type: 'bigint' },
        { name: 'ok', type: 'boolean' },
        { name: 'data', type: 'json' },
        { name: 'hash', type: 'bytea' },
      ],
    );
    expect(sql).toBe('unnest($1::text[], $2::bigint[], $3::boolean[], $4::json[], $5::bytea[]) AS x("id", "n", "ok", "data", "hash")');
    expect(bulk.values).toEqual(['{m-1,"null",x}', '{5,NULL,0}', '{t,f,t}', '{"[\\"a\\",\\"b\\\\\\\\c\\"]",NULL,"{}"}', '{"\\\\xab01",NULL,"\\\\xab02"}']);
  });

  it('writes JavaScript values of a jsonValue column as JSON, a shared frozen one written once', () => {
    const earned = Object.freeze({ outcome: 'earned' });
    const changing: Record<string, unknown> = { outcome: 'refused' };
    const rows = [{ doc: earned }, { doc: earned }, { doc: null }, { doc: changing }, { doc: 'a "text"' }];
    const column = [{ name: 'doc', type: 'jsonb', jsonValue: true }];
    const bulk = new BulkParams();
    bulk.unnest(rows, column);
    expect(bulk.values).toEqual([
      '{"{\\"outcome\\":\\"earned\\"}","{\\"outcome\\":\\"earned\\"}",NULL,"{\\"outcome\\":\\"refused\\"}","\\"a \\\\\\"text\\\\\\"\\""}',
    ]);
    // an object that is not frozen is written as it is now, never from an earlier write
    changing.outcome = 'earned later';
    const again = new BulkParams();
    again.unnest([{ doc: changing }], column);
    expect(again.values).toEqual(['{"{\\"outcome\\":\\"earned later\\"}"}']);
  });

  it('writes one element and none as well', () => {
    expect(textArray(['m-1'])).toBe('{m-1}');
    expect(textArray(['a b'])).toBe('{"a b"}');
    expect(textArray([])).toBe('{}');
    const bulk = new BulkParams();
    bulk.unnest(
      [],
      [
        { name: 'id', type: 'text' },
        { name: 'doc', type: 'jsonb' },
      ],
    );
    expect(bulk.values).toEqual(['{}', '{}']);
  });
});
