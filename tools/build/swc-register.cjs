// Runs TypeScript sources in a plain Node process (`node -r tools/build/swc-register.cjs x.ts`): each
// .ts file is compiled on require with the options jest and the build use, the workspace aliases
// turned into relative paths. For child processes of tests and for tools, which have no build step.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const { swcOptions } = require('./swc-options.cjs');

const options = swcOptions({ withPaths: true });

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
