// The dependency rule of the workspace (docs/architecture.md, "Layout"), checked by dependency-cruiser on
// every import of every package and app, type-only imports included. `pnpm lint` runs it.
//
// Layers: core imports nothing of ours and no I/O; k8s-infra, fake-cluster and cluster-contract build on
// core only; the composition roots (paperclip-adapter, apps/cli) and the private apps may import anything.
// Published packages ship no test support. No package reaches into another by a relative path. No cycles.

/** Published packages: what ships to npm must not depend on test support. */
const PUBLISHED = "^(packages/(core|k8s-infra|fake-cluster|paperclip-adapter)|apps/cli)/";
/** Tests and test tooling inside a package: free to use test support. */
const TEST_CODE = "(\\.test\\.ts$|/test/|/testing/|\\.config\\.ts$)";
/** Test support: test files, testing/ folders, and the private test packages. */
const TEST_SUPPORT = "(\\.test\\.ts$|/test/|/testing/|^apps/e2e/|^packages/(cluster-contract|run-scenarios|kube-test-kit|claude-corpus|repo-checks|scripted-anthropic-api)/)";
const IO_BUILTINS = "^(fs|fs/promises|child_process|net|http|https|http2|tls|dgram|dns|worker_threads|cluster|os|process|readline|zlib|stream|crypto)$";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle (type-only imports included) means two modules are one: move the shared values into a leaf module.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-relative-cross-package",
      comment: "Another package is reached through its name and its public entry point, never by a relative path into its sources.",
      severity: "error",
      from: { path: "^(packages|apps)/([^/]+)/" },
      to: { dependencyTypes: ["local"], pathNot: ["^$1/$2/", "^node_modules/", "^vitest\\.shared\\.ts$"] },
    },
    {
      name: "core-imports-nothing-of-ours",
      comment: "core is the domain: pure, no dependencies at all.",
      severity: "error",
      from: { path: "^packages/core/", pathNot: TEST_CODE },
      to: { pathNot: "^packages/core/", dependencyTypesNot: ["core"] },
    },
    {
      name: "core-does-no-io",
      comment: "core does no I/O: ports are how it reaches the world.",
      severity: "error",
      from: { path: "^packages/core/", pathNot: TEST_CODE },
      to: { dependencyTypes: ["core"], path: IO_BUILTINS },
    },
    {
      name: "adapters-build-on-core-only",
      comment: "k8s-infra, fake-cluster and cluster-contract implement or test core's ports; they know no other package of ours.",
      severity: "error",
      from: { path: "^packages/(k8s-infra|fake-cluster|cluster-contract)/", pathNot: TEST_CODE },
      to: { path: "^(packages|apps)/", pathNot: ["^packages/core/", "^packages/$1/"] },
    },
    {
      name: "scripted-api-stands-alone",
      comment: "The scripted Anthropic API is a test server of its own; it knows nothing of clipjob.",
      severity: "error",
      from: { path: "^packages/scripted-anthropic-api/" },
      to: { path: "^(packages|apps)/", pathNot: "^packages/scripted-anthropic-api/" },
    },
    {
      name: "di-only-in-composition-roots",
      comment: "Only the composition roots (paperclip-adapter, apps/cli) know tsyringe and reflect-metadata.",
      severity: "error",
      from: { pathNot: "^(packages/paperclip-adapter|apps/cli)/" },
      to: { path: "(^|/)node_modules/(tsyringe|reflect-metadata)/" },
    },
    {
      name: "no-test-support-in-published-code",
      comment: "What ships to npm must not depend on tests, testing/ helpers or the private test packages.",
      severity: "error",
      from: { path: PUBLISHED, pathNot: TEST_CODE },
      to: { path: TEST_SUPPORT },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|coverage|node_modules)/|\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@clipjob/source", "import", "types", "default", "node"],
      extensions: [".ts", ".mts", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types"],
    },
  },
};
