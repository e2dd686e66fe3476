import type { z } from "zod";
import type { LaunchDarklyTarget } from "../../core/config/flag-targets-schema.ts";
import type { FlagService } from "../../ports.ts";
import {
  type FlagHttpOptions,
  flagRequest,
  requireEnvironment as required,
  serviceUrl,
} from "./flag-http.ts";
import { FlagServiceError } from "./flag-service-error.ts";

type Config = z.output<typeof LaunchDarklyTarget>;

interface WeightedVariation {
  variation: number;
  weight: number;
}

/**
 * LaunchDarkly through its REST API (v2): the flag's fallthrough in an environment becomes a
 * percentage rollout between two variations (`on_variation` gets the percentage, in LaunchDarkly's
 * thousandths: 25% = 25000), written with a JSON Patch that carries a comment for its audit log.
 */
export function launchDarklyFlagService(
  name: string,
  config: Config,
  token: string,
  http: Omit<FlagHttpOptions, "service">,
): FlagService {
  const options = { ...http, service: name };
  const headers = { authorization: token };
  return {
    name,
    type: "launchdarkly",
    async read(ref) {
      const environment = required(name, ref);
      const url = serviceUrl(config.url, ["api", "v2", "flags", ref.project ?? config.project, ref.flag], {
        env: environment,
      });
      const { json } = await flagRequest({ method: "GET", url, headers }, options);
      const fallthrough = (
        json as {
          environments?: Record<
            string,
            { fallthrough?: { variation?: number; rollout?: { variations?: WeightedVariation[] } } }
          >;
        }
      )?.environments?.[environment]?.fallthrough;
      if (fallthrough?.rollout?.variations) {
        const on = fallthrough.rollout.variations.find((v) => v.variation === config.on_variation);
        return (on?.weight ?? 0) / 1000;
      }
      if (fallthrough?.variation === config.on_variation) return 100;
      if (fallthrough?.variation === config.off_variation) return 0;
      return undefined;
    },
    async write(ref, kind, value, context) {
      const environment = required(name, ref);
      if (kind !== "percent" || typeof value !== "number") {
        throw new FlagServiceError(
          `${name}: LaunchDarkly rollouts take the percentage for '${ref.flag}', not ${JSON.stringify(value)}`,
        );
      }
      const on = Math.round(value * 1000);
      const body = {
        patch: [
          {
            op: "replace",
            path: `/environments/${environment}/fallthrough`,
            value: {
              rollout: {
                variations: [
                  { variation: config.on_variation, weight: on },
                  { variation: config.off_variation, weight: 100_000 - on },
                ],
              },
            },
          },
        ],
        comment: `rollout-bot: ${context.repo} ${context.rollout} ${context.event} to ${context.percent}%`,
      };
      const url = serviceUrl(config.url, ["api", "v2", "flags", ref.project ?? config.project, ref.flag]);
      await flagRequest({ method: "PATCH", url, headers, body }, options);
    },
  };
}
