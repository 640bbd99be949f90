type Json = Record<string, unknown>;

const escape = (text: unknown): string =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const refName = (ref: unknown): string => String(ref).split('/').pop() as string;

/** A property's schema in a few words: its type or reference, and its constraints. */
const summary = (schema: Json): string => {
  if (schema.$ref) return `<a href="#schema-${escape(refName(schema.$ref))}">${escape(refName(schema.$ref))}</a>`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(summary).join(' | ');
  if (Array.isArray(schema.oneOf)) return (schema.oneOf as Json[]).map(summary).join(' | ');
  const parts: string[] = [];
  if (schema.const !== undefined) parts.push(`<code>${escape(JSON.stringify(schema.const))}</code>`);
  if (Array.isArray(schema.enum)) parts.push(`one of ${(schema.enum as unknown[]).map((v) => `<code>${escape(JSON.stringify(v))}</code>`).join(', ')}`);
  if (schema.type) parts.push(escape(Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type));
  if (schema.items) parts.push(`of ${summary(schema.items as Json)}`);
  for (const key of ['pattern', 'minimum', 'maximum', 'maxItems']) if (schema[key] !== undefined) parts.push(`${key} <code>${escape(schema[key])}</code>`);
  return parts.join(' ') || 'any';
};

const propertiesTable = (schema: Json): string => {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(
    ([name, property]) =>
      `<tr><td><code>${escape(name)}</code>${required.has(name) ? '' : ' <small>optional</small>'}</td><td>${summary(property)}</td><td>${escape(property.description ?? '')}</td></tr>`,
  );
  return rows.length === 0 ? `<p>${summary(schema)}</p>` : `<table><tr><th>field</th><th>schema</th><th>notes</th></tr>${rows.join('')}</table>`;
};

const schemaSection = ([name, schema]: [string, Json]): string =>
  `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3>${schema.description ? `<p>${escape(schema.description)}</p>` : ''}${propertiesTable(schema)}` +
  `<details><summary>JSON Schema</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details></section>`;

const channelRow = (channels: Record<string, Json>, operation: Json): string => {
  const channel = channels[refName((operation.channel as Json).$ref)];
  const messages = Object.values((channel.messages ?? {}) as Record<string, Json>).map((m) => summary(m));
  return `<tr><td><code>${escape(channel.address)}</code></td><td>${operation.action === 'receive' ? 'Tally reads' : 'Tally writes'}</td><td>${messages.join(', ')}</td><td>${escape(channel.description)}</td></tr>`;
};

/** The AsyncAPI document as one self-contained HTML page: no script, no stylesheet or font fetched. */
export const renderAsyncApiPage = (doc: Json): string => {
  const info = doc.info as Json;
  const components = doc.components as { schemas: Record<string, Json>; 'x-dead-letter-reasons': Record<string, string> };
  const channels = doc.channels as Record<string, Json>;
  const operations = Object.values(doc.operations as Record<string, Json>);
  const reasons = Object.entries(components['x-dead-letter-reasons']).map(
    ([code, text]) => `<tr><td><code>${escape(code)}</code></td><td>${escape(text)}</td></tr>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)} — AsyncAPI</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:8px;overflow:auto}code{background:#f2f2f2}section{margin:1.5em 0}</style></head><body>
<h1>${escape(info.title)} <small>${escape(info.version)} · AsyncAPI ${escape(doc.asyncapi)}</small></h1>
<p>${escape(info.description)}</p><p>Machine-readable: <a href="/asyncapi.json">/asyncapi.json</a>. 中文：本页列出 Tally 读写的全部 Kafka 主题、键、消息结构与死信原因。</p>
<h2>Topics</h2><table><tr><th>topic</th><th>direction</th><th>messages</th><th>about (key)</th></tr>${operations.map((o) => channelRow(channels, o)).join('')}</table>
<h2>Dead-letter reasons</h2><table><tr><th>reason</th><th>meaning</th></tr>${reasons.join('')}</table>
<h2>Messages</h2>${Object.entries(components.schemas).map(schemaSection).join('\n')}
</body></html>`;
};
