const { swcOptions, jestModuleNameMapper } = require('./tools/build/swc-options.cjs');

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swcOptions({ withPaths: false })] },
  moduleNameMapper: {
    ...jestModuleNameMapper(),
    // @fastify/static (Swagger UI's assets under Fastify) requires content-disposition 3, an ES
    // module: Node 20 requires it natively, Jest's CommonJS loader cannot. 2.0 has the same API in CommonJS.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition-cjs/dist/index.js',
  },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/packages'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$'],
    },
    {
      ...shared,
      displayName: 'int',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/int-timeout.ts'],
      slowTestThreshold: 30,
    },
  ],
};
