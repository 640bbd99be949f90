import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const frameworkImports = ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'express', 'prom-client', 'pino', 'nestjs-pino'];

export default [
  { ignores: ['**/node_modules', '**/dist', '.tally/**', 'coverage/**', '.nx/**', 'deploy/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: frameworkImports },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: [...frameworkImports, 'class-validator', 'class-transformer'],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:platform', 'type:testing'],
            },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform'],
            },
            // The SDK's tests run it against the contracts and the real earn service.
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:contracts', 'type:testing', 'type:app'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:platform', 'type:testing'],
            },
          ],
        },
      ],
      'no-console': 'error',
      // Decorated DTO fields need their type written out: decorator metadata (class-validator,
      // OpenAPI) cannot see a type that is only inferred from an initializer.
      '@typescript-eslint/no-inferrable-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Published on its own: its code may import nothing of the workspace (its tests may).
    files: ['packages/producer-sdk/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@tally/*', '../../../*'] }] },
  },
  {
    files: ['**/*.spec.ts', 'tools/**', 'libs/testing/**'],
    rules: { 'no-console': 'off' },
  },
];
