// Module boundaries, checked by `npm test` (npx depcruise ...). Each rule says who may import what;
// a violation names the rule and the import. Entries are what each library's package.json exports.
const fs = require('node:fs');
const path = require('node:path');

/** Each library's public entries: the files its package.json exports (the one list of them). */
const ENTRIES = fs.readdirSync(path.join(__dirname, 'libs')).flatMap((lib) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, 'libs', lib, 'package.json'), 'utf8'));
  return Object.values(manifest.exports ?? {}).map(
    (file) => `^${path.posix.join('libs', lib, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
  );
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter; break them by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libraries-not-apps',
      severity: 'error',
      comment: 'Libraries never import apps, tools or tests.',
      from: { path: '^libs/' },
      to: { path: '^(apps|tools|tests|e2e)/' },
    },
    {
      name: 'only-public-entries',
      severity: 'error',
      comment: 'Outside a library, import it by its package name and exports (its public entries), not its files.',
      from: { path: '^(apps|tools|tests|e2e|libs/([^/]+))/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/$2/', ...ENTRIES] },
    },
    {
      name: 'dashboard-never-trains',
      severity: 'error',
      comment: 'The dashboard enqueues training; the training code (architectures, loop, replicas) stays in workers.',
      from: { path: '^apps/dashboard/' },
      to: { path: '^libs/cnn/src/training/', reachable: true },
    },
    {
      name: 'inference-is-browser-safe',
      severity: 'error',
      comment: '@moodlab/cnn/inference runs in the browser demo: no Node built-ins.',
      from: { path: '^libs/cnn/src/inference/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'inference-without-training-or-node-backend',
      severity: 'error',
      comment: '@moodlab/cnn/inference reaches neither training code nor the Node backend selection.',
      from: { path: '^libs/cnn/src/inference/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(libs/cnn/src/(training|datasets/import)/|libs/cnn/src/backend/(select-backend|native-kernels)|libs/cnn-native/)',
        reachable: true,
      },
    },
    {
      name: 'browser-code-stays-off-the-server',
      severity: 'error',
      comment:
        "The dashboard's browser code (components, client pages, the API schemas they parse with) never " +
        'reaches the database, the queue or the server-only packages behind them: they would be bundled for the browser.',
      from: { path: '^apps/dashboard/(src/components/|src/api-|app/(error|signin/page|datasets/new/page)[.]tsx)' },
      to: {
        path: '^(libs/(db|jobs|runs)/|node_modules/(bullmq|ioredis|pg|pg-[^/]+|@prisma/[^/]+|sharp)/)',
        reachable: true,
      },
    },
    {
      name: 'apps-not-each-other',
      severity: 'error',
      comment: 'Apps share code through libraries, not by importing each other.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.next|generated|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    combinedDependencies: false,
  },
};
