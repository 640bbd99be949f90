import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REDEMPTION_SCOPE, REVERSE_SCOPE } from './redemption.scopes';

export type StockClaim = 'claimed' | 'already-claimed' | 'out-of-stock';

class OutOfStock extends Error {}

/**
 * The catalog's limited stock, global across members (`reward_stock`, one unit per redemption in
 * `reward_stock_claims`). A reward's row starts at the program's `stock` the first time it is claimed.
 */
@Injectable()
export class RewardStock {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes one unit for `redemptionId`, unless that redemption holds one already or none is left. */
  async claim(rewardId: string, initialStock: number, redemptionId: string): Promise<StockClaim> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO reward_stock (reward_id, remaining) VALUES ($1, $2) ON CONFLICT (reward_id) DO NOTHING`, [rewardId, initialStock]);
        const claimed: unknown[] = await manager.query(
          `INSERT INTO reward_stock_claims (redemption_id, reward_id) VALUES ($1, $2) ON CONFLICT (redemption_id) DO NOTHING RETURNING redemption_id`,
          [redemptionId, rewardId],
        );
        if (claimed.length === 0) return 'already-claimed';
        const [taken] = await manager.query(`UPDATE reward_stock SET remaining = remaining - 1 WHERE reward_id = $1 AND remaining > 0 RETURNING remaining`, [
          rewardId,
        ]);
        // Rolls the claim back with the transaction.
        if ((taken as unknown[]).length === 0) throw new OutOfStock();
        return 'claimed';
      });
    } catch (error) {
      if (error instanceof OutOfStock) return 'out-of-stock';
      throw error;
    }
  }

  /**
   * Puts back the unit `redemptionId` holds unless the redemption is live (appended and not reversed):
   * safe to call after any outcome, and idempotent. A concurrent retry that claimed the unit while the
   * first call appended the redemption so keeps it.
   */
  async releaseUnlessLive(redemptionId: string): Promise<void> {
    await this.dataSource.query(
      `WITH released AS (
         DELETE FROM reward_stock_claims
          WHERE redemption_id = $1
            AND (NOT EXISTS (SELECT 1 FROM causations WHERE scope = $2 AND causation_id = $1 AND outcome = 'appended')
                 OR EXISTS (SELECT 1 FROM causations WHERE scope = $3 AND causation_id = $1 AND outcome = 'appended'))
          RETURNING reward_id)
       UPDATE reward_stock s SET remaining = s.remaining + 1 FROM released r WHERE s.reward_id = r.reward_id`,
      [redemptionId, REDEMPTION_SCOPE, REVERSE_SCOPE],
    );
  }

  /** What is left of each stocked reward that was ever claimed; a reward missing here still has its full program stock. */
  async remaining(rewardIds: readonly string[]): Promise<Map<string, number>> {
    if (rewardIds.length === 0) return new Map();
    const rows: { reward_id: string; remaining: number }[] = await this.dataSource.query(
      `SELECT reward_id, remaining FROM reward_stock WHERE reward_id = ANY($1)`,
      [rewardIds],
    );
    return new Map(rows.map((row) => [row.reward_id, Number(row.remaining)]));
  }
}
