// Compiles apps/ and libs/ to dist/ with swc (seconds, not minutes, on two cores); the tree is
// mirrored so the path aliases swc rewrites to relative imports resolve at run time.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const { transformFile } = require('@swc/core');
const { swcOptions, root } = require('./swc-options.cjs');

const out = join(root, 'dist');
const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
/** JSON the sources import (generated schemas): under a `src` folder, copied as they are. */
const jsonModules = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : jsonModules(path);
    return name.endsWith('.json') && path.includes('/src/') ? [path] : [];
  });

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const files = ['apps', 'libs', 'tools/bench'].flatMap((dir) => sources(join(root, dir)));
const options = swcOptions();
await Promise.all(
  files.map(async (file) => {
    const { code } = await transformFile(file, { ...options, filename: file, swcrc: false, configFile: false });
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }),
);
for (const file of ['apps', 'libs'].flatMap((dir) => jsonModules(join(root, dir)))) {
  const target = join(out, relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
process.stdout.write(`built ${files.length} files into dist/ in ${Date.now() - started} ms\n`);
