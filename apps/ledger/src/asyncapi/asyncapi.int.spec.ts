import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS, DEAD_LETTER_REASONS } from '@tally/contracts';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';

const GENERATED = join(__dirname, '../../../../libs/contracts/generated/asyncapi.json');

describe('ledger app: the AsyncAPI document', () => {
  let ledger: RunningLedgerApp;
  let url: string;

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_asyncapi', 'asyncapi-ops');
    ({ url } = ledger);
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  it('serves, without a token, the document the generator wrote for producers', async () => {
    // when a producer fetches /asyncapi.json
    const response = await fetch(`${url}/asyncapi.json`);
    // then it is the committed generated document
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(readFileSync(GENERATED, 'utf8')));
  });

  it('renders it as a page that names every topic and every dead-letter reason, and loads nothing from elsewhere', async () => {
    const response = await fetch(`${url}/asyncapi`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    for (const topic of ALL_TOPICS) expect(html).toContain(topic.name);
    for (const reason of Object.keys(DEAD_LETTER_REASONS)) expect(html).toContain(reason);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
