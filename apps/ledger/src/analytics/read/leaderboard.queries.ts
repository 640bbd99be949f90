import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Period } from '../fold/periods';

export interface BoardKey {
  period: Period;
  key: string;
  /** '' for the whole programme. */
  storeId: string;
}

/**
 * Ranks by points earned in the period, then by member id (ascending) among equal points: the
 * same standings give the same ranks on every read, and each rank is held by one member.
 */
@Injectable()
export class LeaderboardQueries {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async top(board: BoardKey, limit: number) {
    const rows: { member_id: string; points: string }[] = await this.dataSource.query(
      `SELECT member_id, points FROM leaderboard_points WHERE period = $1 AND period_key = $2 AND store_id = $3
        ORDER BY points DESC, member_id LIMIT $4`,
      [board.period, board.key, board.storeId, limit],
    );
    return rows.map((r, i) => ({ rank: i + 1, memberId: r.member_id, points: Number(r.points) }));
  }

  /** The member's rank and points in the board, or undefined when the member earned nothing in it. */
  async rankOf(board: BoardKey, memberId: string) {
    const [own]: { points: string }[] = await this.dataSource.query(
      `SELECT points FROM leaderboard_points WHERE period = $1 AND period_key = $2 AND store_id = $3 AND member_id = $4`,
      [board.period, board.key, board.storeId, memberId],
    );
    if (!own) return undefined;
    const [ahead]: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM leaderboard_points WHERE period = $1 AND period_key = $2 AND store_id = $3
          AND (points > $4 OR (points = $4 AND member_id < $5))`,
      [board.period, board.key, board.storeId, own.points, memberId],
    );
    const [all]: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM leaderboard_points WHERE period = $1 AND period_key = $2 AND store_id = $3`,
      [board.period, board.key, board.storeId],
    );
    return { memberId, rank: Number(ahead.n) + 1, points: Number(own.points), members: Number(all.n) };
  }
}
