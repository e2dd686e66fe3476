import type { z } from "zod";
import type { VercelEdgeConfigTarget } from "../../core/config/flag-targets-schema.ts";
import type { FlagService } from "../../ports.ts";
import { type FlagHttpOptions, flagRequest, serviceUrl } from "./flag-http.ts";

type Config = z.output<typeof VercelEdgeConfigTarget>;

/**
 * Vercel Edge Config through the REST API: the item named by the flag key holds the value (Farmers
 * Market reads its percentage there at the edge), written with an `upsert` items PATCH.
 */
export function vercelEdgeConfigFlagService(
  name: string,
  config: Config,
  token: string,
  http: Omit<FlagHttpOptions, "service">,
): FlagService {
  const options = { ...http, service: name };
  const headers = { authorization: `Bearer ${token}` };
  const query = { teamId: config.team_id };
  return {
    name,
    type: "vercel-edge-config",
    async read(ref) {
      const url = serviceUrl(
        config.url,
        ["v1", "edge-config", config.edge_config_id, "item", ref.flag],
        query,
      );
      const { status, json } = await flagRequest({ method: "GET", url, headers, accept: [404] }, options);
      if (status === 404) return undefined;
      const value = (json as { value?: unknown })?.value;
      return typeof value === "number" || typeof value === "boolean" || typeof value === "string"
        ? value
        : undefined;
    },
    async write(ref, _kind, value) {
      const url = serviceUrl(config.url, ["v1", "edge-config", config.edge_config_id, "items"], query);
      const body = { items: [{ operation: "upsert", key: ref.flag, value }] };
      await flagRequest({ method: "PATCH", url, headers, body }, options);
    },
  };
}
