import { textArray } from '../append/bulk-params';
import type { LoadedMember } from './member-state.cache';
import type { Query } from '../database/query';

/** An order a command reads (`LedgerCommand.orders`). */
export interface OrderKey {
  memberId: string;
  orderId: string;
}

/** A `member_orders` row as JSON gives it: member, order, points, amount, clawed back, refunded, refund ids. */
export type StoredOrder = [string, string, number, number, number, number, string[]];

/**
 * A scalar subquery: the named orders that exist, as a JSON array of `StoredOrder` (null when
 * none does). `members` and `orders` are the placeholders of two parallel text arrays.
 */
export const storedOrdersJson = (members: string, orders: string): string =>
  `(SELECT json_agg(json_build_array(o.member_id, o.order_id, o.points, o.amount_minor, o.clawed_back, o.refunded_minor, o.refund_ids))
      FROM unnest(${members}::text[], ${orders}::text[]) AS k(member_id, order_id)
     CROSS JOIN LATERAL (SELECT * FROM member_orders WHERE member_id = k.member_id AND order_id = k.order_id LIMIT 1) o)`;

export const orderParams = (keys: readonly OrderKey[]): [string, string] => [textArray(keys.map((k) => k.memberId)), textArray(keys.map((k) => k.orderId))];

export const readStoredOrders = async (query: Query, keys: readonly OrderKey[]): Promise<StoredOrder[]> => {
  if (keys.length === 0) return [];
  const [row] = await query(`SELECT ${storedOrdersJson('$1', '$2')} AS orders`, orderParams(keys), 'tally_read_orders');
  return (row?.orders as StoredOrder[] | null) ?? [];
};

/**
 * Gives each loaded state exactly the orders read for it. A cached state comes back with none
 * (the append empties them after each write); only one folded from the log may carry some.
 */
export const attachOrders = (orders: readonly StoredOrder[], loaded: Map<string, LoadedMember>): void => {
  dropOrders(loaded.values());
  for (const [memberId, orderId, points, amountMinor, clawedBack, refundedMinor, refundIds] of orders) {
    const state = loaded.get(memberId)?.state;
    if (state)
      state.orders.set(orderId, {
        points: Number(points),
        amountMinor: Number(amountMinor),
        clawedBack: Number(clawedBack),
        refundedMinor: Number(refundedMinor),
        refundIds,
      });
  }
};

/**
 * Takes the orders out of these states: a state keeps none between decisions, so none goes stale.
 * They are deleted from the state's own map (the states here are handed over, their maps shared
 * with no one) instead of a new map per purchase: that one outlived a scavenge with its state and
 * was copied on its way to the old generation, where the map it replaced died. Deleting shrinks
 * the map's table, allocated where the map lives, so nothing new is copied (a loop over 100k kept
 * states: a third of the scavenging time).
 */
export const dropOrders = (entries: Iterable<LoadedMember>): void => {
  for (const entry of entries) {
    const orders = entry.state.orders;
    for (const orderId of orders.keys()) orders.delete(orderId);
  }
};
