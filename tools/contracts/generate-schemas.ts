// Writes the JSON Schemas of every Tally message and the AsyncAPI document to libs/contracts/generated/
// (and the output and input schemas as JSON the ledger app and the producer SDK import), all from libs/contracts.
// `--check` writes nothing and fails when a committed file differs from what it would write.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { asyncApiDocument, inputSchemaDocuments } from '@tally/contracts';
import { outputSchemaDocuments } from './output-schemas';

const root = join(__dirname, '..', '..');
const generated = join(root, 'libs/contracts/generated');

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every generated file and its text. */
export const generatedFiles = (): Record<string, string> => {
  const inputs = inputSchemaDocuments();
  const outputs = outputSchemaDocuments();
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries({ ...inputs, ...outputs })) files[join(generated, 'schemas', `${name}.schema.json`)] = json(schema);
  files[join(generated, 'asyncapi.json')] = json(asyncApiDocument({ ...inputs, ...outputs }));
  // Plain JSON beside the modules that read them: the ledger app serves the output schemas, the
  // producer SDK validates with the input schemas (and ships them to producers in other languages).
  files[join(root, 'libs/contracts/src/generated/output-schemas.json')] = json(outputs);
  files[join(root, 'packages/producer-sdk/src/input-schemas.json')] = json(inputs);
  return files;
};

const readOrEmpty = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [path, text] of Object.entries(generatedFiles())) {
    if (readOrEmpty(path) === text) continue;
    stale.push(relative(root, path));
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  if (check && stale.length > 0) {
    process.stderr.write(`generated contract files are stale (run npm run contracts:generate): ${stale.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write(check ? 'generated contract files are current\n' : `wrote ${stale.length} changed file(s)\n`);
}
