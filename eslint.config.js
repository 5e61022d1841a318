// ESLint flat config: strict TypeScript rules plus the layer table of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports each layer may not make; the build fails when a layer reaches across. */
const layerBans = {
  'main/engine/**': [
    {
      group: ['**/transport/**', '**/daemon/**', '**/cli/**', '**/electron/**', 'electron'],
      message: 'The engine stays free of network, daemon, CLI and Electron code.',
    },
    {
      group: [
        ...['node:net', 'node:tls', 'node:http', 'node:https', 'node:http2', 'node:dgram'],
        ...['net', 'tls', 'http', 'https', 'http2', 'dgram', 'ws', 'bonjour-service'],
      ],
      message: 'The engine opens no sockets: the network lives in main/transport and main/daemon.',
    },
  ],
  'main/transport/**': [
    {
      group: ['**/daemon/**', '**/cli/**', '**/electron/**', 'electron'],
      message: 'The transport does not know the daemon, CLI or Electron.',
    },
  ],
  'main/daemon/**': [
    {
      group: ['**/cli/**', '**/electron/**', 'electron'],
      message: 'The daemon does not know the CLI or Electron.',
    },
  ],
  'main/cli/**': [
    { group: ['**/electron/**', 'electron'], message: 'The CLI never loads Electron.' },
  ],
  'renderer/src/**': [
    {
      group: [
        'node:*',
        ...['fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'url', 'stream'],
        ...['electron', 'better-sqlite3', 'ws'],
      ],
      message: 'The renderer runs in a browser: no Node, no Electron.',
    },
    {
      regex: '(^|/)main/(?!api/(contract|client)(\\.js)?$)',
      message: 'Of main/, the renderer uses only the API contract and client (main/api/).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-output/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.entries(layerBans).map(([files, patterns]) => ({
    files: [files],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // The renderer (React, DOM): typed by its own tsconfigs (DOM lib, no Node types), and
    // its Vite config by a Node one.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['./renderer/tsconfig.json', './renderer/tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  { files: ['eslint.config.js', 'scripts/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
