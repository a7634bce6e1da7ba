/**
 * The architecture's boundaries, checked on every `npm test` (test/boundaries.spec.ts) and by
 * `npm run boundaries`. Paths are relative to the repository root.
 */
const DOMAIN = '^libs/(core|directory|access-requests|care-access|audit|provisioning|feed)/src/';
const NOT_TESTS = '(\\.spec\\.ts$|/testing/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'Domain libraries (deciders, events, policies) import no framework, driver, store, validation library or I/O module.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: NOT_TESTS },
      to: {
        path: [
          '(^|/)node_modules/(@nestjs|better-sqlite3|mongodb|@eventstore|class-validator|class-transformer|express|jose|rxjs)/',
          '^(node:)?(fs|crypto|http|https|net|child_process|worker_threads)$',
          '^libs/(event-store|read-store|projection-runner|auth|platform|provisioning-service)/',
          '^(apps|projections)/',
        ],
      },
    },
    {
      name: 'no-app-imports-another-app',
      comment: 'Apps compose the shared libraries; no app imports another app’s source.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'use-case-folders-stand-alone',
      comment:
        'A use case’s folder (apps/<app>/src/<context>/<use-case>/, queries/ too) imports no other use case’s folder: what several use cases share lives at the context root.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/([^/]+)/([^/]+)/' },
      to: { path: '^apps/$1/src/[^/]+/[^/]+/', pathNot: '^apps/$1/src/$2/$3/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^(libs|projections)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'context-through-its-index',
      comment: 'Another library is imported only through its public index (src/index.ts; core also offers src/testing for specs).',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/'] },
    },
    {
      name: 'outside-libs-through-their-index',
      comment: 'Apps, projections, tests and benchmarks import a library only through its public index.',
      severity: 'error',
      from: { path: '^(apps|projections|test|bench)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/core/src/testing/', '^libs/[^/]+/src/testing/'] },
    },
    {
      name: 'projections-read-events-only',
      comment: 'Projections import only core and the domains’ event types (and the read store’s types for their shape).',
      severity: 'error',
      from: { path: '^projections/', pathNot: NOT_TESTS },
      to: {
        pathNot: ['^projections/', '^libs/(core|directory|access-requests|care-access|audit)/src/index\\.ts$', '^libs/read-store/src/index\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'projections-use-read-store-types-only',
      severity: 'error',
      from: { path: '^projections/', pathNot: NOT_TESTS },
      to: { path: '^libs/read-store/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|bench/node_modules|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
