/** Where the provider reads a rollout file from: a local checkout, or the repository over HTTP. */

export type SourceRead =
  /** The file's text and a token that identifies this version (ETag, mtime). */
  | { status: "ok"; text: string; version: string }
  /** Same version as `known`: nothing to parse again. */
  | { status: "unchanged" }
  | { status: "missing" };

export interface RolloutSource {
  /** Human-readable, for messages: a directory or `owner/repo@ref`. */
  readonly name: string;
  /** Reads `.github/rollouts/<id>.yml`, conditionally on the version read last time. */
  read(id: string, known?: string): Promise<SourceRead>;
}

export function rolloutPath(id: string): string {
  return `.github/rollouts/${id}.yml`;
}
