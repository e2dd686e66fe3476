import type { z } from "zod";
import type { HttpTarget } from "../../core/config/flag-targets-schema.ts";
import type { FlagService } from "../../ports.ts";
import { type FlagHttpOptions, flagRequest } from "./flag-http.ts";

type Config = z.output<typeof HttpTarget>;

/**
 * Any HTTP endpoint (DealerScope's `POST /admin/feature-flags`): the operator's method, URL and
 * headers, and a JSON body template filled from the change. Write-only: reconcile remembers what it
 * last sent (FlagLedger) and sends again only when that differs, so the endpoint should be idempotent.
 */
export function httpFlagService(
  name: string,
  config: Config,
  secretHeaders: Record<string, string>,
  http: Omit<FlagHttpOptions, "service">,
): FlagService {
  const options = { ...http, service: name };
  return {
    name,
    type: "http",
    async write(ref, _kind, value, context) {
      const vars: Record<string, unknown> = {
        repo: context.repo,
        rollout: context.rollout,
        event: context.event,
        flag: ref.flag,
        environment: ref.environment ?? "",
        project: ref.project ?? "",
        percent: context.percent,
        fraction: context.percent / 100,
        value,
        enabled: value !== 0 && value !== false && value !== "",
      };
      const body = fillTemplate(config.body, vars);
      const headers = { ...config.headers, ...secretHeaders };
      await flagRequest({ method: config.method, url: new URL(config.url), headers, body }, options);
    },
  };
}

const WHOLE = /^\{\{(\w+)\}\}$/;
const ANY = /\{\{(\w+)\}\}/g;

/** `"{{percent}}"` becomes the number; `"at {{percent}}%"` a string; unknown names stay as written. */
export function fillTemplate(template: unknown, vars: Record<string, unknown>): unknown {
  if (typeof template === "string") {
    const whole = WHOLE.exec(template);
    if (whole && whole[1] !== undefined && whole[1] in vars) return vars[whole[1]];
    return template.replace(ANY, (text, key: string) => (key in vars ? String(vars[key]) : text));
  }
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, vars));
  if (template && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, vars)]));
  }
  return template;
}
