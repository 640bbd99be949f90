import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { ChallengeCodeNotice, Notification, Topics, physicalTopicName } from '@tally/contracts';
import { LedgerStore, auditLedger, migrateLedger } from '@tally/ledger';
import { EARNED_EXPIRES_AT, earnCommand } from '@tally/ledger/testing';
import { FollowedTopic, TestDatabase, createTestDatabase, eventually, followTopic, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
import { startRedeemInstances } from '../testing/redeem-instances';

const APP = 'su-app';
const STORE = 'su-store';
const TTL_SECONDS = 2;
const PROGRAM = { stepUp: { transferThreshold: 100, redemptionThreshold: 400, codeTtlSeconds: TTL_SECONDS, maxAttempts: 3 } };

describe('step-up verification of transfers', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let notices: FollowedTopic<Notification>;

  beforeAll(async () => {
    db = await createTestDatabase('stepup', migrateLedger);
    const programFile = join(mkdtempSync(join(tmpdir(), 'tally-su-')), 'program.json');
    writeFileSync(programFile, JSON.stringify(PROGRAM));
    const started = await startRedeemInstances(db, 1, {
      TALLY_API_TOKENS: `${APP}=app,${STORE}=store:sh-07,su-other=store:bj-01`,
      TALLY_PROGRAM: programFile,
      TALLY_TOPIC_NAMESPACE: namespace,
      TALLY_HOLD_EXPIRY_INTERVAL_MS: '200',
    });
    [app] = started.apps;
    [url] = started.urls;
    notices = await followTopic<Notification>(physicalTopicName(Topics.notifications, namespace), `${namespace}codes`);
  });

  afterAll(async () => {
    await notices?.stop();
    await app?.close();
    await db?.drop();
  });

  const seed = async (memberId: string, points: number) => app.get(LedgerStore).executeOne(earnCommand('seed', memberId, `seed-${memberId}`, points));

  const post = async (path: string, body: unknown, token = APP) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const balance = async (memberId: string): Promise<{ available: number; held: number }> => {
    const [row] = await app.get(DataSource).query(`SELECT available::int, held::int FROM member_state WHERE member_id = $1`, [memberId]);
    return row ?? { available: 0, held: 0 };
  };

  const codeFor = (challengeId: string) =>
    eventually(
      async () => notices.received.find((n): n is ChallengeCodeNotice => n.type === 'challenge.code' && n.challengeId === challengeId),
      30_000,
      `the code of ${challengeId}`,
    );

  const challenge = async (transferId: string, from: string, to: string, points: number) => {
    const started = await post('/transfers', { transferId, fromMemberId: from, toMemberId: to, points });
    expect(started).toMatchObject({ status: 202, body: { challengeId: expect.any(String), expiresAt: expect.any(String) } });
    return started.body.challengeId as string;
  };

  it('holds the points, sends a code kept only as a hash, and makes the transfer once the right code comes back', async () => {
    await seed('m-su-a', 500);
    const challengeId = await challenge('t-su-1', 'm-su-a', 'm-su-b', 300);
    expect(await balance('m-su-a')).toEqual({ available: 200, held: 300 });
    const notice = await codeFor(challengeId);
    expect(notice).toMatchObject({ type: 'challenge.code', memberId: 'm-su-a', purpose: 'transfer', points: 300, code: expect.stringMatching(/^\d{6}$/) });
    const [stored] = await app.get(DataSource).query(`SELECT code_hash::text AS h, request::text AS r FROM challenges WHERE challenge_id = $1`, [challengeId]);
    expect(`${stored.h}${stored.r}`).not.toContain(notice.code);
    // A retry of the same transfer is the same challenge, not a second hold.
    expect((await post('/transfers', { transferId: 't-su-1', fromMemberId: 'm-su-a', toMemberId: 'm-su-b', points: 300 })).body.challengeId).toBe(challengeId);

    const confirmed = await post(`/challenges/${challengeId}/confirm`, { code: notice.code });
    expect(confirmed).toMatchObject({
      status: 201,
      body: { transferId: 't-su-1', points: 300, lots: [{ points: 300, expiresAt: EARNED_EXPIRES_AT }] },
    });
    expect(await balance('m-su-a')).toEqual({ available: 200, held: 0 });
    expect(await balance('m-su-b')).toEqual({ available: 300, held: 0 });
    expect(await post(`/challenges/${challengeId}/confirm`, { code: notice.code })).toEqual({ status: 200, body: confirmed.body });
    expect(await post('/transfers', { transferId: 't-su-1', fromMemberId: 'm-su-a', toMemberId: 'm-su-b', points: 300 })).toEqual({
      status: 200,
      body: confirmed.body,
    });
    expect((await auditLedger(app.get(DataSource))).ok).toBe(true);
  });

  it('counts wrong codes, closes the challenge at the limit and gives the held points back', async () => {
    await seed('m-su-c', 500);
    const challengeId = await challenge('t-su-2', 'm-su-c', 'm-su-d', 200);
    const { code } = await codeFor(challengeId);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await post(`/challenges/${challengeId}/confirm`, { code: wrong })).toMatchObject({ status: 422, body: { error: 'wrong_code', attemptsLeft: 2 } });
    expect(await post(`/challenges/${challengeId}/confirm`, { code: wrong })).toMatchObject({ status: 422, body: { error: 'wrong_code', attemptsLeft: 1 } });
    expect(await post(`/challenges/${challengeId}/confirm`, { code: wrong })).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
    // Even the right code is too late now.
    expect((await post(`/challenges/${challengeId}/confirm`, { code })).status).toBe(409);
    expect(await balance('m-su-c')).toEqual({ available: 500, held: 0 });
    expect(await balance('m-su-d')).toEqual({ available: 0, held: 0 });
  });

  it('releases the held points when the challenge expires, and refuses its code after', async () => {
    await seed('m-su-e', 500);
    const challengeId = await challenge('t-su-3', 'm-su-e', 'm-su-f', 150);
    const { code } = await codeFor(challengeId);
    expect(await balance('m-su-e')).toEqual({ available: 350, held: 150 });
    await eventually(
      async () => {
        expect(await balance('m-su-e')).toEqual({ available: 500, held: 0 });
        return true;
      },
      (TTL_SECONDS + 5) * 1000,
      'the expired challenge’s hold released',
    );
    expect(await post(`/challenges/${challengeId}/confirm`, { code })).toMatchObject({ status: 410, body: { error: 'challenge_expired' } });
    expect(await balance('m-su-f')).toEqual({ available: 0, held: 0 });
  });

  it('asks a large redemption for a code too, which the store that asked confirms', async () => {
    await seed('m-su-r', 1000);
    const redemption = { redemptionId: 'r-su-1', memberId: 'm-su-r', points: 600, storeId: 'sh-07' };
    const started = await post('/redemptions', redemption, STORE);
    expect(started).toMatchObject({ status: 202, body: { challengeId: expect.any(String) } });
    const challengeId = started.body.challengeId as string;
    const notice = await codeFor(challengeId);
    expect(notice).toMatchObject({ memberId: 'm-su-r', purpose: 'redemption', points: 600 });
    expect(await balance('m-su-r')).toEqual({ available: 400, held: 600 });
    // Another store cannot see it; the one that asked confirms it.
    expect((await post(`/challenges/${challengeId}/confirm`, { code: notice.code }, 'su-other')).status).toBe(404);
    const confirmed = await post(`/challenges/${challengeId}/confirm`, { code: notice.code }, STORE);
    expect(confirmed).toMatchObject({ status: 201, body: { redemptionId: 'r-su-1', points: 600, available: 400 } });
    expect(await balance('m-su-r')).toEqual({ available: 400, held: 0 });
    expect(await post('/redemptions', redemption, STORE)).toEqual({ status: 200, body: confirmed.body });
    expect((await post('/redemptions', { ...redemption, redemptionId: 'r-su-2', points: 399 }, STORE)).status).toBe(201);
    expect((await auditLedger(app.get(DataSource))).ok).toBe(true);
  });

  it('keeps a store token away from a transfer’s challenge', async () => {
    await seed('m-su-s', 500);
    const challengeId = await challenge('t-su-5', 'm-su-s', 'm-su-t', 100);
    const { code } = await codeFor(challengeId);
    expect((await post(`/challenges/${challengeId}/confirm`, { code }, STORE)).status).toBe(404);
  });

  it('lets small transfers through without a challenge', async () => {
    await seed('m-su-g', 500);
    expect((await post('/transfers', { transferId: 't-su-4', fromMemberId: 'm-su-g', toMemberId: 'm-su-h', points: 99 })).status).toBe(201);
  });
});
