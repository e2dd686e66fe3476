import pkg from "../../../package.json" with { type: "json" };

/** `rollout --version`: the package's version, inlined into the bundle at build time. */
export const CLI_VERSION = `rollout-bot ${pkg.version} (node ${process.versions.node})`;
