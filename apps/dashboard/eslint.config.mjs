// The dashboard's own lint (browser code, React): the workspace config is for the Node services.
// Run by the dashboard's lint target: eslint -c apps/dashboard/eslint.config.mjs apps/dashboard
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The API key lives in sessionStorage and in request headers only.
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='localStorage']", message: 'Keep the API key out of localStorage: use sessionStorage through auth/session.ts.' },
        { selector: "NewExpression[callee.name='EventSource']", message: 'EventSource cannot send the Authorization header: use LedgerClient.stream.' },
      ],
      'no-console': 'error',
    },
  },
];
