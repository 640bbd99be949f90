#!/usr/bin/env node
// Validates Kubernetes manifests (multi-document YAML on stdin, e.g. `helm template ... |`) against
// the Kubernetes API schemas that kubernetes-models compiles; exits 1 naming each invalid one.
//   helm template r1 deploy/helm/tally --set ... | node tools/infra/validate-manifests.mjs
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

const MODELS = {
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

const manifests = parseAllDocuments(readFileSync(0, 'utf8'))
  .map((doc) => doc.toJSON())
  .filter(Boolean);
const problems = [];
for (const manifest of manifests) {
  const name = `${manifest.apiVersion} ${manifest.kind} ${manifest.metadata?.name ?? '(no name)'}`;
  const Model = MODELS[`${manifest.apiVersion} ${manifest.kind}`];
  if (!Model) {
    problems.push(`${name}: no schema here for this kind`);
    continue;
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    problems.push(`${name}: ${error.message}`);
  }
}
if (manifests.length === 0) problems.push('no manifests on stdin');
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.stdout.write(`${manifests.length - problems.length} of ${manifests.length} manifests valid\n`);
process.exit(problems.length === 0 ? 0 : 1);
