import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './jest/infrastructure';

/** Kafka's `compression.type` values. */
export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** One record for Apache Kafka's Java client to send; see JavaProducer.java for how records are grouped. */
export interface JavaRecord {
  compression: JavaCompression;
  /** `plain`: no transaction; `commit` / `abort`: in a transaction ended so. */
  mode: 'plain' | 'commit' | 'abort';
  topic: string;
  key: string | null;
  value: string | null;
  /** In order; a name may come more than once. */
  headers?: [string, string][];
}

const KAFKA_SCRIPT = join(REPO_ROOT, 'deploy/kafka/kafka.sh');
const PRODUCER_SOURCE = join(__dirname, 'java/JavaProducer.java');
const NULL = '\\N';

/** The broker's jars (kafka.sh keeps them there), which hold kafka-clients and its compression libraries. */
const kafkaLibs = (): string => {
  const version = /<kafka\.version>(.+)<\/kafka\.version>/.exec(readFileSync(join(REPO_ROOT, 'deploy/kafka/pom.xml'), 'utf8'))?.[1];
  const libs = process.env.TALLY_KAFKA_LIBS ?? join(homedir(), '.cache/tally', `kafka-${version}`, 'libs');
  const hasClients = () => existsSync(libs) && readdirSync(libs).some((name) => name.startsWith('kafka-clients-'));
  if (!hasClients()) execFileSync('bash', [KAFKA_SCRIPT, 'fetch'], { stdio: 'ignore' });
  if (!hasClients()) throw new Error(`no kafka-clients jar in ${libs} after kafka.sh fetch`);
  return libs;
};

const field = (text: string | null): string => {
  if (text === null) return NULL;
  if (/[\t\n]/.test(text) || text === NULL) throw new Error(`cannot pass ${JSON.stringify(text)} to JavaProducer: tabs, newlines and \\N are its separators`);
  return text;
};

const header = ([name, value]: [string, string]): string => {
  if (name.includes('=')) throw new Error(`cannot pass header name ${JSON.stringify(name)} to JavaProducer: = ends a header's name`);
  return `${field(name)}=${field(value)}`;
};

const line = (r: JavaRecord): string => [r.compression, r.mode, r.topic, field(r.key), field(r.value), ...(r.headers ?? []).map(header)].join('\t');

/**
 * Sends `records` with Apache Kafka's own Java client (one JVM for all of them), as producers
 * outside Tally do: each compression, transactions, null keys and values, repeated headers.
 * Resolves once every send, commit and abort was acknowledged.
 */
export const publishWithJavaClient = (bootstrap: string, transactionalIdPrefix: string, records: JavaRecord[]): Promise<void> => {
  const input = `${records.map(line).join('\n')}\n\n`;
  const classpath = `${kafkaLibs()}/*`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'java',
      ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', classpath, PRODUCER_SOURCE, bootstrap, transactionalIdPrefix],
      { timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`JavaProducer failed: ${error.message}\n${stderr}`));
        else if (stdout.trim() !== `sent ${records.length}`)
          reject(new Error(`JavaProducer said ${JSON.stringify(stdout)}, expected "sent ${records.length}"\n${stderr}`));
        else resolve();
      },
    );
    child.stdin?.end(input);
  });
};
