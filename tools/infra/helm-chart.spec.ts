import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
/**
 * deploy/helm/tally rendered by a real `helm template` and every manifest validated against the
 * Kubernetes schemas (kubernetes-models' validators, through tools/infra/validate-manifests.mjs).
 * deploy/helm/helm.sh is `helm` on PATH or, where there is none, Helm's own code from Maven Central.
 */
const root = join(__dirname, '../..');
const chart = join(root, 'deploy/helm/tally');
const helm = (args: string[]) => spawnSync('bash', [join(root, 'deploy/helm/helm.sh'), ...args], { encoding: 'utf8' });
const SERVICES = ['ledger', 'earn', 'redeem', 'tier', 'expiry'];
const validate = (yaml: string) => spawnSync('node', [join(root, 'tools/infra/validate-manifests.mjs')], { input: yaml, encoding: 'utf8' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are checked field by field
type Manifest = any;

const render = (...sets: string[]): { status: number | null; manifests: Manifest[]; stdout: string; stderr: string } => {
  const args = [
    'template',
    'r1',
    chart,
    '--set',
    'secrets.apiTokens=t0k=ops',
    '--set',
    'secrets.databaseUrl=postgres://db/tally',
    ...sets.flatMap((s) => ['--set', s]),
  ];
  const run = helm(args);
  const manifests =
    run.status === 0
      ? parseAllDocuments(run.stdout)
          .map((d) => d.toJSON())
          .filter(Boolean)
      : [];
  return { status: run.status, manifests, stdout: run.stdout, stderr: run.stderr };
};

describe('the manifest validator (tools/infra/validate-manifests.mjs)', () => {
  const deployment = (port: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec: { containers: [{ name: c, image: x, ports: [{ containerPort: ${port} }] }] }\n`;

  it('accepts a manifest the Kubernetes schema accepts', () => {
    expect(validate(deployment('3000')).status).toBe(0);
  });

  it('refuses one it does not, naming the field', () => {
    const run = validate(`${deployment('"http"')}---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { ports: [{ port: 80 }] }\n`);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('apps/v1 Deployment d: data/spec/template/spec/containers/0/ports/0/containerPort must be integer');
    expect(run.stdout).toContain('1 of 2 manifests valid');
  });
});

describe('the Helm chart values', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- values are checked field by field
  const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as any;
  const nodeFlags = JSON.parse(readFileSync(join(root, 'tools/infra/service-node-flags.json'), 'utf8'));

  it('run the five services on their ports with the node flags of service-node-flags.json', () => {
    expect(Object.keys(values.services).sort()).toEqual([...SERVICES].sort());
    expect(SERVICES.map((s) => values.services[s].port)).toEqual([3000, 3001, 3002, 3003, 3004]);
    expect(values.nodeFlags).toEqual(nodeFlags);
    for (const s of SERVICES) expect(values.services[s].resources.requests).toBeDefined();
  });
});

describe('the Helm chart rendered by helm template', () => {
  // The first call may fetch Helm from Maven Central (deploy/helm/helm.sh).
  jest.setTimeout(120_000);
  it('passes helm lint', () => {
    const run = helm(['lint', chart]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
  });

  it('renders manifests that the Kubernetes schemas accept', () => {
    const { status, stdout, stderr } = render('program=earn:\\n  pointsPerUnit: 1');
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    const validation = validate(stdout);
    expect({ status: validation.status, problems: validation.stderr }).toEqual({ status: 0, problems: '' });
  });

  it('gives every service a Deployment probed on /health, a Service and a PodDisruptionBudget; earn one replica per partition', () => {
    const { manifests } = render('topics.partitions=12');
    const of = (kind: string) => manifests.filter((m) => m.kind === kind);
    expect(of('Deployment')).toHaveLength(5);
    expect(of('PodDisruptionBudget')).toHaveLength(5);
    for (const deployment of of('Deployment')) {
      const [container] = deployment.spec.template.spec.containers;
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.resources.requests).toBeDefined();
    }
    expect(of('Deployment').find((d) => d.metadata.name.endsWith('-earn')).spec.replicas).toBe(12);
  });

  it('refuses more earn replicas than partitions', () => {
    const { status, stderr } = render('topics.partitions=4', 'services.earn.replicas=6');
    expect(status).not.toBe(0);
    expect(stderr).toContain('exceeds topics.partitions');
  });

  it('migrates once per release in a hook Job and keeps tokens and the database URL in a Secret', () => {
    const { manifests } = render();
    const job = manifests.find((m) => m.kind === 'Job');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const secret = manifests.find((m) => m.kind === 'Secret');
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['TALLY_API_TOKENS', 'DATABASE_URL']));
  });
});
