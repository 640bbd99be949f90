import { LedgerEventType } from '@tally/contracts';
import { EVENT_LAYOUTS } from './event-codec';

const PORTION = (value: string) =>
  `(SELECT json_agg(json_build_object('lotId', p->0, 'points', p->1, 'expiresAt', p->2)) FROM json_array_elements(${value}) AS p)`;

const objectOf = (type: LedgerEventType): string => {
  const pairs = EVENT_LAYOUTS[type].map((name, i) => {
    const value = `e.data->${i}`;
    return `'${name}', ${name === 'fromLots' || name === 'toLots' ? PORTION(value) : value}`;
  });
  return `json_strip_nulls(json_build_object(${pairs.join(', ')}))`;
};

/**
 * `ledger_events_expanded`: the log with each event's data as an object with its field names, for
 * people querying the database (`data->>'lotId'`). Built from the layouts: a migration that adds a
 * field to a layout recreates it with this function.
 */
export const expandedEventsViewSql = (): string => `
  CREATE OR REPLACE VIEW ledger_events_expanded AS
  SELECT e.position, e.member_id, e.version, e.event_id, e.type,
         CASE e.type ${(Object.keys(EVENT_LAYOUTS) as LedgerEventType[]).map((t) => `WHEN '${t}' THEN ${objectOf(t)}`).join('\n ')} END AS data,
         e.occurred_at, e.recorded_at, e.causation_id, e.hash
    FROM ledger_events e`;
