import { z } from "zod";
import { type FakeService, startFakeService } from "./fake-service.ts";

/**
 * Flagsmith's Admin API for environment feature states, as its documentation shows the requests
 * (no package ships an API description): list with `?feature_name=`, PATCH one state by id, both
 * with a trailing slash and `Authorization: Api-Key <key>`.
 */

const PatchState = z.strictObject({
  enabled: z.boolean(),
  feature_state_value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
});

export interface FlagsmithState {
  id: number;
  feature: number;
  feature_name: string;
  environment: string;
  enabled: boolean;
  feature_state_value: number | string | boolean | null;
}

export async function startFakeFlagsmith(key: string) {
  const states: FlagsmithState[] = [];
  const service: FakeService = await startFakeService({
    name: "Flagsmith",
    authorized: (headers) => headers.authorization === `Api-Key ${key}`,
    routes: [
      {
        method: "GET",
        path: "/api/v1/environments/:env/featurestates/",
        check: ({ query }) => (query.get("feature_name") ? [] : ["expected ?feature_name="]),
        handle: ({ params, query }) => {
          const results = states.filter(
            (s) => s.environment === params.env && s.feature_name === query.get("feature_name"),
          );
          return { status: 200, body: { count: results.length, next: null, previous: null, results } };
        },
      },
      {
        method: "PATCH",
        path: "/api/v1/environments/:env/featurestates/:id/",
        check: ({ body }) =>
          PatchState.safeParse(body).success
            ? []
            : [`body is not {enabled, feature_state_value}: ${JSON.stringify(body)}`],
        handle: ({ params, body }) => {
          const state = states.find((s) => s.environment === params.env && String(s.id) === params.id);
          if (!state) return { status: 404, body: { detail: "Not found." } };
          Object.assign(state, body);
          return { status: 200, body: state };
        },
      },
    ],
  });
  return { ...service, states };
}
