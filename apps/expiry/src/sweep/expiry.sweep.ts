import { Inject, Injectable } from '@nestjs/common';
import { PointsExpiringSoon, Topics, plusDays } from '@tally/contracts';
import { MemberSweepResult, decideReminders } from '@tally/expiry';
import { LEDGER_CLOCK, LedgerStore, forEachMemberPage, memberIdsOf, queryOf } from '@tally/ledger';
import { TypedProducer } from '@tally/messaging';
import { Metrics, crashPoint, randomId } from '@tally/platform';
import { Program } from '@tally/program';
import { DataSource } from 'typeorm';
import { expiryCommand } from './expiry.command';
import { PROGRAM } from '@tally/service-kit';
import { SWEEP_BATCH } from './expiry.tokens';

export interface SweepSummary {
  asOf: string;
  lotsExpired: number;
  pointsExpired: number;
  pointsReleased: number;
  remindersSent: number;
}

/** Members with something due at `asOf`: a lot to expire, or a pending lot to release. */
const DUE_MEMBERS = `
  SELECT DISTINCT member_id FROM open_lots
   WHERE member_id > $2
     AND ((expires_at <= $1 AND NOT pending AND remaining > held) OR (pending AND available_at <= $1))
   ORDER BY member_id LIMIT $3`;

/** Members with a lot expiring within the reminder window that was not announced yet. */
const MEMBERS_TO_REMIND = `
  SELECT DISTINCT l.member_id FROM open_lots l
   WHERE l.member_id > $3 AND l.expires_at > $1 AND l.expires_at <= $2 AND NOT l.pending AND l.remaining > l.held
     AND NOT EXISTS (SELECT 1 FROM expiry_notices n WHERE n.member_id = l.member_id AND n.lot_id = l.lot_id)
   ORDER BY l.member_id LIMIT $4`;

/**
 * The expiry sweep: releases pending points that are due, expires what is left of due lots (one
 * ledger transaction per batch of members), then announces lots that expire soon, once per lot.
 */
@Injectable()
export class ExpirySweep {
  constructor(
    private readonly store: LedgerStore,
    private readonly producer: TypedProducer,
    private readonly metrics: Metrics,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  async run(asOfInput?: string): Promise<SweepSummary> {
    const asOf = new Date(asOfInput ?? this.clock()).toISOString();
    const summary: SweepSummary = { asOf, lotsExpired: 0, pointsExpired: 0, pointsReleased: 0, remindersSent: 0 };
    await this.expireAndRelease(asOf, summary);
    summary.remindersSent = await this.remind(asOf);
    const counter = this.metrics.counter('tally_expiry_points_total', 'Points expired or released by the sweep', ['outcome']);
    counter.inc({ outcome: 'expired' }, summary.pointsExpired);
    counter.inc({ outcome: 'released' }, summary.pointsReleased);
    this.metrics.counter('tally_expiry_reminders_total', 'points.expiring-soon notices published').inc(summary.remindersSent);
    return summary;
  }

  private async expireAndRelease(asOf: string, summary: SweepSummary): Promise<void> {
    const sweepId = randomId();
    const membersDue = async (after: string, limit: number) => memberIdsOf(await this.dataSource.query(DUE_MEMBERS, [asOf, after, limit]));
    await forEachMemberPage(membersDue, SWEEP_BATCH, async (memberIds) => {
      const results = await this.store.execute(memberIds.map((memberId) => expiryCommand(memberId, asOf, sweepId)));
      crashPoint('expiry.after-append');
      for (const result of results) {
        // Only what this sweep appended counts: a duplicate was appended (and counted) by another one.
        if (result.status !== 'appended') continue;
        const r: MemberSweepResult = result.result;
        summary.lotsExpired += r.lotsExpired;
        summary.pointsExpired += r.pointsExpired;
        summary.pointsReleased += r.pointsReleased;
      }
    });
  }

  /** Publishes first, then records the lots as announced: a crash in between repeats a notice, never loses one. */
  private async remind(asOf: string): Promise<number> {
    const days = this.program.expiry.reminderDaysBefore;
    if (days <= 0) return 0;
    const until = plusDays(asOf, days);
    let sent = 0;
    const membersToRemind = async (after: string, limit: number) => memberIdsOf(await this.dataSource.query(MEMBERS_TO_REMIND, [asOf, until, after, limit]));
    await forEachMemberPage(membersToRemind, SWEEP_BATCH, async (memberIds) => {
      sent += await this.remindPage(asOf, days, memberIds);
    });
    return sent;
  }

  /** Announces what is expiring soon for these members; returns how many notices were sent. */
  private async remindPage(asOf: string, days: number, memberIds: string[]): Promise<number> {
    const states = await this.store.states.read(queryOf(this.dataSource), memberIds);
    const notified: { member_id: string; lot_id: string }[] = await this.dataSource.query(
      `SELECT member_id, lot_id FROM expiry_notices WHERE member_id = ANY($1)`,
      [memberIds],
    );
    const notifiedBy = new Map<string, Set<string>>();
    for (const n of notified) notifiedBy.set(n.member_id, (notifiedBy.get(n.member_id) ?? new Set()).add(n.lot_id));
    const notices: PointsExpiringSoon[] = [];
    const lots: { memberId: string; lotId: string }[] = [];
    for (const [memberId, state] of states) {
      const decision = decideReminders(state, asOf, days, notifiedBy.get(memberId) ?? new Set());
      if (!decision.notification) continue;
      notices.push(decision.notification);
      for (const lotId of decision.notifiedLotIds) lots.push({ memberId, lotId });
    }
    await this.producer.send(
      Topics.notifications,
      notices.map((notice) => ({ key: notice.memberId, value: notice })),
    );
    if (lots.length > 0) {
      await this.dataSource.query(
        `INSERT INTO expiry_notices (member_id, lot_id, notified_at)
         SELECT m, l, $3::timestamptz FROM unnest($1::text[], $2::text[]) AS x(m, l)
         ON CONFLICT (member_id, lot_id) DO NOTHING`,
        [lots.map((l) => l.memberId), lots.map((l) => l.lotId), this.clock().toISOString()],
      );
    }
    return notices.length;
  }
}
