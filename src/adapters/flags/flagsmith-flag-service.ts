import type { z } from "zod";
import type { FlagsmithTarget } from "../../core/config/flag-targets-schema.ts";
import type { FlagRef, FlagService } from "../../ports.ts";
import {
  type FlagHttpOptions,
  flagRequest,
  requireEnvironment as required,
  serviceUrl,
} from "./flag-http.ts";
import { FlagServiceError } from "./flag-service-error.ts";

type Config = z.output<typeof FlagsmithTarget>;

interface FeatureState {
  id: number;
  enabled: boolean;
  feature_state_value: number | boolean | string | null;
}

/**
 * Flagsmith through its Admin API: the feature's state in an environment (the environment's API
 * key) gets the value — the percentage, as RepTate keeps `enabled_percentage` per flag, or a typed
 * value — and is enabled while it is above 0 (or true). Applications split users with
 * rollout-bot/bucketing on that value.
 */
export function flagsmithFlagService(
  name: string,
  config: Config,
  token: string,
  http: Omit<FlagHttpOptions, "service">,
): FlagService {
  const options = { ...http, service: name };
  const headers = { authorization: `${config.auth_scheme} ${token}` };
  async function featureState(ref: FlagRef): Promise<FeatureState> {
    const environment = required(name, ref);
    const url = serviceUrl(config.url, ["environments", environment, "featurestates", ""], {
      feature_name: ref.flag,
    });
    const { json } = await flagRequest({ method: "GET", url, headers }, options);
    const results = (json as { results?: FeatureState[] })?.results ?? [];
    const state = results[0];
    if (results.length !== 1 || !state) {
      throw new FlagServiceError(
        `${name}: feature '${ref.flag}' has ${results.length} states in the environment, expected 1`,
      );
    }
    return state;
  }
  return {
    name,
    type: "flagsmith",
    async read(ref) {
      const state = await featureState(ref);
      return state.feature_state_value ?? undefined;
    },
    async write(ref, _kind, value) {
      const environment = required(name, ref);
      const state = await featureState(ref);
      const url = serviceUrl(config.url, [
        "environments",
        environment,
        "featurestates",
        String(state.id),
        "",
      ]);
      const enabled = value !== 0 && value !== false && value !== "";
      await flagRequest(
        { method: "PATCH", url, headers, body: { enabled, feature_state_value: value } },
        options,
      );
    },
  };
}
