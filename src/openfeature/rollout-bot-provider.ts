import {
  type EvaluationContext,
  FlagNotFoundError,
  type JsonValue,
  ParseError,
  type Provider,
  type ResolutionDetails,
  StandardResolutionReasons,
  TargetingKeyMissingError,
  TypeMismatchError,
} from "@openfeature/server-sdk";
import { type BucketingMode, inRollout } from "../bucketing/index.ts";
import { parseRolloutFile } from "../core/config/rollout-file.ts";
import { type RolloutSource, rolloutPath } from "./rollout-source.ts";

export interface RolloutBotProviderOptions {
  source: RolloutSource;
  /** How long a read rollout file is trusted before it is read again (conditionally). Default 30 s. */
  refreshMs?: number;
  /** Injected clock (tests). */
  now?: () => number;
}

interface FlagState {
  percent: number;
  salt: string;
  mode: BucketingMode;
  phase: string;
}

interface Entry {
  checkedAt: number;
  version?: string;
  state?: FlagState;
  /** Why the last read failed, when it did. */
  problem?: { kind: "missing" | "invalid" | "unreachable"; message: string };
  loading?: Promise<void>;
}

/**
 * An OpenFeature provider for rollout-bot rollouts: the flag key is the rollout id, the targeting key
 * the user id, and a boolean flag is on for the users `inRollout` lets in at the rollout's current
 * percentage. The file in Git is the truth; when it cannot be read the last good state is served as
 * STALE, and a flag never read successfully resolves to the caller's default with an error.
 */
export class RolloutBotProvider implements Provider {
  readonly metadata = { name: "rollout-bot" } as const;
  readonly runsOn = "server";
  readonly #source: RolloutSource;
  readonly #refreshMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: RolloutBotProviderOptions) {
    this.#source = options.source;
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    _defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    const { state, stale } = await this.#state(flagKey);
    const userId = context.targetingKey;
    const flagMetadata = { percent: state.percent, phase: state.phase, mode: state.mode };
    if (state.percent === 0 || state.percent === 100) {
      return {
        value: state.percent === 100,
        reason: stale ? "STALE" : StandardResolutionReasons.STATIC,
        flagMetadata,
      };
    }
    if (typeof userId !== "string" || userId === "") {
      throw new TargetingKeyMissingError(
        `${flagKey} is at ${state.percent}%: a targetingKey (user id) picks the users`,
      );
    }
    const value = inRollout({ salt: state.salt, percent: state.percent, userId, mode: state.mode });
    return {
      value,
      reason: stale ? "STALE" : StandardResolutionReasons.SPLIT,
      variant: value ? "on" : "off",
      flagMetadata,
    };
  }

  resolveStringEvaluation(flagKey: string): Promise<ResolutionDetails<string>> {
    return Promise.reject(new TypeMismatchError(`${flagKey} is a boolean flag`));
  }

  resolveNumberEvaluation(flagKey: string): Promise<ResolutionDetails<number>> {
    return Promise.reject(new TypeMismatchError(`${flagKey} is a boolean flag`));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string): Promise<ResolutionDetails<T>> {
    return Promise.reject(new TypeMismatchError(`${flagKey} is a boolean flag`));
  }

  async #state(id: string): Promise<{ state: FlagState; stale: boolean }> {
    let entry = this.#entries.get(id);
    if (!entry || (!entry.loading && this.#now() - entry.checkedAt >= this.#refreshMs)) {
      const current: Entry = entry ?? { checkedAt: 0 };
      this.#entries.set(id, current);
      current.loading = this.#load(id, current).finally(() => {
        delete current.loading;
      });
      entry = current;
    }
    // Concurrent evaluations share one read.
    if (entry.loading) await entry.loading;
    if (entry.state) return { state: entry.state, stale: entry.problem !== undefined };
    const problem = entry.problem ?? {
      kind: "missing",
      message: `${this.#source.name}: no ${rolloutPath(id)}`,
    };
    throw problem.kind === "missing"
      ? new FlagNotFoundError(problem.message)
      : new ParseError(problem.message);
  }

  async #load(id: string, entry: Entry): Promise<void> {
    entry.checkedAt = this.#now();
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) {
      entry.problem = { kind: "missing", message: `'${id.slice(0, 80)}' is not a rollout id` };
      return;
    }
    try {
      const read = await this.#source.read(id, entry.version);
      if (read.status === "unchanged") return;
      if (read.status === "missing") {
        delete entry.state;
        delete entry.version;
        entry.problem = { kind: "missing", message: `${this.#source.name}: no ${rolloutPath(id)}` };
        return;
      }
      const parsed = parseRolloutFile(rolloutPath(id), read.text);
      if (!parsed.ok) {
        const first = parsed.diagnostics[0];
        entry.problem = {
          kind: "invalid",
          message: `${this.#source.name}: ${first ? `${first.file}:${first.line}: ${first.message}` : "invalid rollout file"}`,
        };
        return;
      }
      const { file } = parsed.value;
      entry.state = {
        percent: file.state?.percent ?? 0,
        salt: file.bucketing?.salt ?? id,
        mode: file.bucketing?.mode ?? "rollout-bot",
        phase: file.state?.phase ?? "pending",
      };
      entry.version = read.version;
      delete entry.problem;
    } catch (error) {
      entry.problem = { kind: "unreachable", message: (error as Error).message };
    }
  }
}
