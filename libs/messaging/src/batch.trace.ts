import { Context, Link, SpanKind, trace } from '@opentelemetry/api';
import { contextFrom } from '@tally/platform';
import type { ConsumedMessage } from './batch.consumer';

/** Links beyond these add nothing a trace viewer shows and cost a context each. */
const MAX_LINKS = 32;

/**
 * A batch span's parent and links: the first traced message's producer is its parent (so one
 * purchase's trace runs through the batch that handled it), every other traced message a link.
 */
export const batchTrace = (messages: ConsumedMessage[]): { parent?: Context; links: Link[]; kind: SpanKind; attributes: Record<string, number> } => {
  let parent: Context | undefined;
  const links: Link[] = [];
  for (const message of messages) {
    const headers = message.rawHeaders ?? message.headers;
    if (!headers?.traceparent) continue;
    const context = contextFrom(headers);
    if (!parent) parent = context;
    else if (links.length < MAX_LINKS) {
      const span = trace.getSpanContext(context);
      if (span) links.push({ context: span });
    }
  }
  return { parent, links, kind: SpanKind.CONSUMER, attributes: { 'messaging.batch.message_count': messages.length } };
};
