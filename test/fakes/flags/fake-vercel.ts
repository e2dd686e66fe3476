import { z } from "zod";
import { type FakeService, startFakeService } from "./fake-service.ts";

/**
 * Vercel's Edge Config REST API as its documentation describes it (the `@vercel/sdk` package has no
 * items PATCH operation): `PATCH /v1/edge-config/{id}/items` with `{ items: [{ operation, key, value }] }`
 * and `GET /v1/edge-config/{id}/item/{key}`, Bearer token, optional `teamId`.
 */

const Items = z.strictObject({
  items: z
    .array(
      z.strictObject({
        operation: z.enum(["create", "update", "upsert", "delete"]),
        key: z
          .string()
          .regex(/^[\w-]+$/)
          .max(256),
        value: z.json().optional(),
        description: z.string().optional(),
      }),
    )
    .min(1),
});

export async function startFakeVercel(token: string, edgeConfigId: string, teamId?: string) {
  const items = new Map<string, unknown>();
  const scoped = (query: URLSearchParams) =>
    teamId && query.get("teamId") !== teamId ? ["teamId missing or wrong"] : [];
  const service: FakeService = await startFakeService({
    name: "Vercel",
    authorized: (headers) => headers.authorization === `Bearer ${token}`,
    routes: [
      {
        method: "GET",
        path: "/v1/edge-config/:id/item/:key",
        check: ({ params, query }) => [
          ...scoped(query),
          ...(params.id === edgeConfigId ? [] : ["unknown edge config"]),
        ],
        handle: ({ params }) =>
          items.has(params.key ?? "")
            ? { status: 200, body: { key: params.key, value: items.get(params.key ?? ""), edgeConfigId } }
            : { status: 404, body: { error: { code: "not_found", message: "item not found" } } },
      },
      {
        method: "PATCH",
        path: "/v1/edge-config/:id/items",
        check: ({ params, query, body }) => {
          const parsed = Items.safeParse(body);
          return [
            ...scoped(query),
            ...(params.id === edgeConfigId ? [] : ["unknown edge config"]),
            ...(parsed.success
              ? []
              : [`body: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`]),
          ];
        },
        handle: ({ body }) => {
          for (const item of (body as z.output<typeof Items>).items) {
            if (item.operation === "delete") items.delete(item.key);
            else items.set(item.key, item.value);
          }
          return { status: 200, body: { status: "ok" } };
        },
      },
    ],
  });
  return { ...service, items };
}
