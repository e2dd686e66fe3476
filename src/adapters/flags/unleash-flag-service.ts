import type { z } from "zod";
import type { UnleashTarget } from "../../core/config/flag-targets-schema.ts";
import type { FlagRef, FlagService } from "../../ports.ts";
import {
  type FlagHttpOptions,
  flagRequest,
  requireEnvironment as required,
  serviceUrl,
} from "./flag-http.ts";
import { FlagServiceError } from "./flag-service-error.ts";

type Config = z.output<typeof UnleashTarget>;

interface Strategy {
  id: string;
  name: string;
  parameters?: Record<string, unknown>;
}

/**
 * Unleash through its Admin API: the `rollout` parameter of the flag's gradual rollout
 * (`flexibleRollout`) strategy in an environment, changed with a JSON Patch of that one parameter,
 * so its stickiness, groupId, constraints and variants stay as the team set them.
 */
export function unleashFlagService(
  name: string,
  config: Config,
  token: string,
  http: Omit<FlagHttpOptions, "service">,
): FlagService {
  const options = { ...http, service: name };
  const headers = { authorization: token };
  const strategiesUrl = (ref: FlagRef, ...rest: string[]) => {
    const project = ref.project ?? config.project;
    const environment = required(name, ref);
    return serviceUrl(config.url, [
      "api",
      "admin",
      "projects",
      project,
      "features",
      ref.flag,
      "environments",
      environment,
      "strategies",
      ...rest,
    ]);
  };
  async function gradualRollout(ref: FlagRef): Promise<Strategy> {
    const { json } = await flagRequest({ method: "GET", url: strategiesUrl(ref), headers }, options);
    const rollouts = (Array.isArray(json) ? (json as Strategy[]) : []).filter(
      (s) => s?.name === "flexibleRollout",
    );
    if (rollouts.length !== 1) {
      throw new FlagServiceError(
        `${name}: flag '${ref.flag}' in ${ref.environment} has ${rollouts.length} gradual rollout strategies; rollout-bot sets exactly one (add one in Unleash)`,
      );
    }
    return rollouts[0] as Strategy;
  }
  return {
    name,
    type: "unleash",
    async read(ref) {
      const strategy = await gradualRollout(ref);
      const rollout = Number(strategy.parameters?.rollout);
      return Number.isFinite(rollout) ? rollout : undefined;
    },
    async write(ref, kind, value) {
      if (kind !== "percent" || typeof value !== "number" || !Number.isInteger(value)) {
        throw new FlagServiceError(
          `${name}: Unleash takes a whole percentage for '${ref.flag}', not ${JSON.stringify(value)}`,
        );
      }
      const strategy = await gradualRollout(ref);
      const patch = [{ op: "replace", path: "/parameters/rollout", value: String(value) }];
      await flagRequest(
        { method: "PATCH", url: strategiesUrl(ref, strategy.id), headers, body: patch },
        options,
      );
    },
  };
}
