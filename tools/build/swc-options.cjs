// One source of truth for how TypeScript is compiled (build and jest): swc with the decorator
// metadata Nest and class-validator need, and the workspace path aliases from tsconfig.base.json.
const path = require('node:path');
const tsconfig = require('../../tsconfig.base.json');

const root = path.resolve(__dirname, '../..');

function swcOptions({ withPaths = true } = {}) {
  return {
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
      ...(withPaths ? { baseUrl: root, paths: tsconfig.compilerOptions.paths } : {}),
    },
    module: { type: 'commonjs' },
  };
}

function jestModuleNameMapper() {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions.paths)) {
    mapper[`^${alias.replace(/[/@.-]/g, (c) => `\\${c}`)}$`] = `<rootDir>/${target}`;
  }
  return mapper;
}

module.exports = { swcOptions, jestModuleNameMapper, root };
