import { type FakeService, startFakeService } from "./fake-service.ts";
import { checkLaunchDarklyRequest } from "./launchdarkly-spec.ts";

/** LaunchDarkly's flags API, every request checked against the official client's description (api.ts). */

export interface LdFlag {
  key: string;
  variations: { value: unknown }[];
  environments: Record<string, { on: boolean; fallthrough: { variation?: number; rollout?: unknown } }>;
}

export async function startFakeLaunchDarkly(token: string) {
  const flags = new Map<string, LdFlag>();
  const service: FakeService = await startFakeService({
    name: "LaunchDarkly",
    authorized: (headers) => headers.authorization === token,
    describe: checkLaunchDarklyRequest,
    routes: [
      {
        method: "GET",
        path: "/api/v2/flags/:project/:flag",
        handle: ({ params }) => {
          const flag = flags.get(`${params.project}/${params.flag}`);
          return flag
            ? { status: 200, body: flag }
            : { status: 404, body: { code: "not_found", message: "Unknown resource" } };
        },
      },
      {
        method: "PATCH",
        path: "/api/v2/flags/:project/:flag",
        check: ({ headers }) =>
          String(headers["content-type"]).startsWith("application/json")
            ? []
            : ["content-type must be application/json"],
        handle: ({ params, body }) => {
          const flag = flags.get(`${params.project}/${params.flag}`);
          if (!flag) return { status: 404, body: { code: "not_found", message: "Unknown resource" } };
          for (const op of (body as { patch: { op: string; path: string; value?: unknown }[] }).patch) {
            const parts = op.path.split("/").slice(1);
            const last = parts.pop() ?? "";
            let node: Record<string, unknown> = flag as unknown as Record<string, unknown>;
            for (const part of parts) node = (node?.[part] as Record<string, unknown>) ?? undefined;
            if (!node || op.op !== "replace" || !(last in node)) {
              return {
                status: 400,
                body: { code: "invalid_request", message: `cannot ${op.op} ${op.path}` },
              };
            }
            node[last] = op.value;
          }
          return { status: 200, body: flag };
        },
      },
    ],
  });
  return { ...service, flags };
}
