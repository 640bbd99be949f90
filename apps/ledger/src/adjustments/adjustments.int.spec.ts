import { INestApplication } from '@nestjs/common';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerStore, auditLedger } from '@tally/ledger';
import { DataSource } from 'typeorm';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';

const OPS = 'adj-ops';
const READ = 'adj-read';

describe('POST /ops/members/{memberId}/adjustments', () => {
  let ledger: RunningLedgerApp;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_adjustments', OPS, `int-adjust-${Date.now()}.`, { [READ]: 'read' });
    ({ app, url } = ledger);
    const earned = {
      points: 100,
      lotId: 'l-adj-1',
      expiresAt: '2099-01-01T00:00:00.000Z',
      reason: 'purchase' as const,
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    };
    const events: NewLedgerEvent[] = [{ type: 'points.earned', memberId: 'm-adj', occurredAt: new Date().toISOString(), data: earned }];
    await app
      .get(LedgerStore)
      .executeOne({ scope: 'test-seed', causationId: 'seed-adj', memberIds: ['m-adj'], decide: () => ({ kind: 'append', result: null, events }) });
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  const post = async (memberId: string, body: object, token = OPS) => {
    const response = await fetch(`${url}/ops/members/${memberId}/adjustments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const balance = async (memberId: string) =>
    (await (await fetch(`${url}/members/${memberId}/balance`, { headers: { Authorization: `Bearer ${OPS}` } })).json()) as { available: number };

  it('adds points, names the actor from the token, and answers a retry with the same result', async () => {
    const body = { adjustmentId: 'a-plus', points: 25, reason: 'goodwill', note: 'ticket 12' };
    const first = await post('m-adj', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ adjustmentId: 'a-plus', points: 25, available: 125, debt: 0, note: 'ticket 12' });
    expect(first.body.actor).toMatch(/^ops#[0-9a-f]{8}$/);
    const retry = await post('m-adj', body);
    expect(retry).toEqual({ status: 200, body: first.body });
    expect((await balance('m-adj')).available).toBe(125);
    expect((await post('m-adj', { ...body, points: 26 })).body.error).toBe('idempotency_conflict');
  });

  it('refuses to drive available below zero unless booked as debt', async () => {
    const refused = await post('m-adj', { adjustmentId: 'a-minus', points: -200, reason: 'fraud' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'insufficient_points', available: 125 });
    expect((await balance('m-adj')).available).toBe(125);
    const booked = await post('m-adj', { adjustmentId: 'a-minus', points: -200, reason: 'fraud', debt: true });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ available: -75, debt: 75 });
    expect((await balance('m-adj')).available).toBe(-75);
  });

  it('lists adjustments in the member history, and the audit stays clean', async () => {
    const history = (await (await fetch(`${url}/members/m-adj/events`, { headers: { Authorization: `Bearer ${OPS}` } })).json()) as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const adjusted = history.events.filter((e) => e.type === 'points.adjusted');
    expect(adjusted.map((e) => e.data.points)).toEqual([25, -200]);
    expect(adjusted[0].data).toMatchObject({ reason: 'goodwill', note: 'ticket 12', adjustmentId: 'a-plus' });
    const audit = await auditLedger(app.get(DataSource), { limit: 10 });
    expect(audit.violations).toEqual([]);
  });

  it('answers 404 for an unknown member, 400 for zero points, 403 for a read token', async () => {
    expect((await post('m-nobody', { adjustmentId: 'a-x', points: 5, reason: 'r' })).status).toBe(404);
    const zero = await post('m-adj', { adjustmentId: 'a-zero', points: 0, reason: 'r' });
    expect(zero.status).toBe(400);
    expect(zero.body.error).toBe('invalid_request');
    expect((await post('m-adj', { adjustmentId: 'a-read', points: 5, reason: 'r' }, READ)).status).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/ops/members/{memberId}/adjustments']).toBeDefined();
  });
});
