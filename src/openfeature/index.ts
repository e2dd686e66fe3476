/** `rollout-bot/openfeature`: an OpenFeature provider reading rollout state from Git. */
export { fileRolloutSource } from "./file-source.ts";
export { type GitHubSourceOptions, githubRolloutSource } from "./github-source.ts";
export { RolloutBotProvider, type RolloutBotProviderOptions } from "./rollout-bot-provider.ts";
export type { RolloutSource, SourceRead } from "./rollout-source.ts";
