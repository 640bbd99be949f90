import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Period } from '../fold/periods';

export interface BoardKey {
  period: Period;
  key: string;
  /** '' for the whole programme. */
  storeId: string;
}

/** The board's id from its period, key and store ($1, $2, $3); none when nobody earned in it yet. */
const BOARD_ID = `SELECT board_id FROM leaderboard_boards WHERE period = $1 AND period_key = $2 AND store_id = $3`;

/**
 * Ranks by points earned in the period, then by member id (ascending) among equal points: the
 * same standings give the same ranks on every read, and each rank is held by one member.
 */
@Injectable()
export class LeaderboardQueries {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async top(board: BoardKey, limit: number) {
    const rows: { member_id: string; points: string }[] = await this.dataSource.query(
      `SELECT member_id, points FROM leaderboard_points WHERE board_id = (${BOARD_ID})
        ORDER BY points DESC, member_id LIMIT $4`,
      [board.period, board.key, board.storeId, limit],
    );
    return rows.map((r, i) => ({ rank: i + 1, memberId: r.member_id, points: Number(r.points) }));
  }

  /**
   * The member's rank and points in the board, or undefined when the member earned nothing in it.
   * Those ahead are counted in two ranges of the rank index (more points; as many points and a
   * lower id) instead of testing every entry of the board against both.
   */
  async rankOf(board: BoardKey, memberId: string) {
    const [row]: { points: string; more: string; tied_before: string; members: string }[] = await this.dataSource.query(
      `WITH own AS (SELECT points FROM leaderboard_points WHERE board_id = (${BOARD_ID}) AND member_id = $4)
       SELECT own.points,
              (SELECT count(*) FROM leaderboard_points WHERE board_id = (${BOARD_ID}) AND points > own.points) AS more,
              (SELECT count(*) FROM leaderboard_points WHERE board_id = (${BOARD_ID}) AND points = own.points AND member_id < $4) AS tied_before,
              (SELECT count(*) FROM leaderboard_points WHERE board_id = (${BOARD_ID})) AS members
         FROM own`,
      [board.period, board.key, board.storeId, memberId],
    );
    if (!row) return undefined;
    return { memberId, rank: Number(row.more) + Number(row.tied_before) + 1, points: Number(row.points), members: Number(row.members) };
  }
}
