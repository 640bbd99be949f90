import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * What `docker compose config` would find wrong, checked without a Docker engine: the file's
 * structure, the image it builds and the flags each service runs with.
 */
const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed compose file is checked field by field
const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
const nodeFlags = JSON.parse(read('tools/infra/service-node-flags.json')) as Record<string, string[]>;
const SERVICES = ['ledger', 'earn', 'redeem', 'tier', 'expiry'];
const PORTS: Record<string, number> = { ledger: 3000, earn: 3001, redeem: 3002, tier: 3003, expiry: 3004 };

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Kafka and the five services, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'postgres', ...SERVICES].sort());
    for (const [name, service] of Object.entries<{ healthcheck?: { test?: unknown[] } }>(compose.services)) {
      expect({ name, test: Array.isArray(service.healthcheck?.test) && service.healthcheck.test.length > 1 }).toEqual({ name, test: true });
    }
    for (const name of SERVICES) expect(JSON.stringify(compose.services[name].healthcheck.test)).toContain('/health');
  });

  it('keeps PostgreSQL and Kafka data in named volumes, where each image writes it', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['kafka-data', 'postgres-data']);
    expect(compose.services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(compose.services.kafka.volumes).toContain(`kafka-data:${compose.services.kafka.environment.KAFKA_LOG_DIRS}`);
  });

  it('runs the Kafka version deploy/kafka runs', () => {
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('deploy/kafka/pom.xml'))?.[1];
    expect(compose.services.kafka.image).toBe(`apache/kafka:${version}`);
  });

  it('starts each service with node, the flags service-node-flags.json gives it, and its app, on its port', () => {
    for (const name of SERVICES) {
      const service = compose.services[name];
      expect(service.command).toEqual(['node', ...nodeFlags.every, ...(nodeFlags[name] ?? []), `dist/apps/${name}/src/main.js`]);
      expect(service.environment.PORT).toBe(PORTS[name]);
      expect(service.build).toEqual({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
    }
  });

  it('mounts the program file named by TALLY_PROGRAM and points the services at it only when it is set', () => {
    for (const name of SERVICES) {
      const service = compose.services[name];
      expect(service.volumes).toContain('${TALLY_PROGRAM:-./deploy/programs/example.yaml}:/etc/tally/program.yaml:ro');
      expect(service.environment.TALLY_PROGRAM).toBe('${TALLY_PROGRAM:+/etc/tally/program.yaml}');
    }
  });
});

describe('the image', () => {
  const dockerfile = read('deploy/docker/Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('is built in stages on a Node LTS line and runs as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^node:(20|22)[.-]/);
    const runtime = stages[stages.length - 1];
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).not.toMatch(/^COPY (?!--from)/m);
  });

  it('defaults to the flags every service gets, so a container without a command still runs them', () => {
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile.split(/^FROM /m).pop() as string)?.[1] ?? '';
    for (const flag of nodeFlags.every) expect(cmd).toContain(flag);
  });

  it('gets a build context without dependencies, local data or history', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.tally', '.git']));
  });
});
