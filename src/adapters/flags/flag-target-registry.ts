import { readFile } from "node:fs/promises";
import { type FlagTargetConfig, FlagTargetsFile } from "../../core/config/flag-targets-schema.ts";
import { formatDiagnostic, parseWithSchema } from "../../core/config/yaml-diagnostics.ts";
import type { FlagService, FlagServiceRegistry } from "../../ports.ts";
import type { FlagHttpOptions } from "./flag-http.ts";
import { flagsmithFlagService } from "./flagsmith-flag-service.ts";
import { httpFlagService } from "./http-flag-service.ts";
import { launchDarklyFlagService } from "./launchdarkly-flag-service.ts";
import { unleashFlagService } from "./unleash-flag-service.ts";
import { vercelEdgeConfigFlagService } from "./vercel-edge-config-flag-service.ts";

/**
 * The operator's flag services, from the file FLAG_TARGETS names: built once, credentials read from
 * the env vars the file names. A repository sees a target only when its owner is allowed; to other
 * repositories the target does not exist (its name is not revealed either).
 */

export interface RegistryOptions {
  fetch?: typeof fetch;
}

export async function loadFlagTargets(
  env: Record<string, string | undefined>,
  options: RegistryOptions = {},
): Promise<FlagServiceRegistry | undefined> {
  const path = env.FLAG_TARGETS;
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`FLAG_TARGETS: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  const parsed = parseWithSchema(path, text, FlagTargetsFile);
  if (!parsed.ok) {
    throw new Error(
      `FLAG_TARGETS: ${path} is invalid:\n${parsed.diagnostics.map(formatDiagnostic).join("\n")}`,
    );
  }
  return createFlagServiceRegistry(parsed.value, env, options);
}

export function createFlagServiceRegistry(
  file: FlagTargetsFile,
  env: Record<string, string | undefined>,
  options: RegistryOptions = {},
): FlagServiceRegistry {
  const services = new Map<string, { config: FlagTargetConfig; service: FlagService | { error: string } }>();
  for (const [name, config] of Object.entries(file.targets)) {
    services.set(name, { config, service: build(name, config, env, options) });
  }
  return {
    forRepo(repo: string, target: string) {
      const owner = repo.split("/")[0]?.toLowerCase() ?? "";
      const visible = (c: FlagTargetConfig) => !c.owners || c.owners.some((o) => o.toLowerCase() === owner);
      const entry = services.get(target);
      if (!entry || !visible(entry.config)) {
        const names = [...services].filter(([, e]) => visible(e.config)).map(([n]) => n);
        return {
          error: `unknown flag target '${target}' (the operator's FLAG_TARGETS offers: ${names.join(", ") || "none"})`,
        };
      }
      return entry.service;
    },
  };
}

function build(
  name: string,
  config: FlagTargetConfig,
  env: Record<string, string | undefined>,
  options: RegistryOptions,
): FlagService | { error: string } {
  const http: Omit<FlagHttpOptions, "service"> = { timeoutMs: (config.timeout ?? 10) * 1000 };
  if (options.fetch) http.fetch = options.fetch;
  const secret = (envName: string) => {
    const value = env[envName];
    return value ? value : undefined;
  };
  const missing = (envName: string) => ({
    error: `flag target '${name}' has no credentials: env ${envName} is not set`,
  });
  switch (config.type) {
    case "unleash": {
      const token = secret(config.token_env);
      return token ? unleashFlagService(name, config, token, http) : missing(config.token_env);
    }
    case "launchdarkly": {
      const token = secret(config.token_env);
      return token ? launchDarklyFlagService(name, config, token, http) : missing(config.token_env);
    }
    case "flagsmith": {
      const token = secret(config.token_env);
      return token ? flagsmithFlagService(name, config, token, http) : missing(config.token_env);
    }
    case "vercel-edge-config": {
      const token = secret(config.token_env);
      return token ? vercelEdgeConfigFlagService(name, config, token, http) : missing(config.token_env);
    }
    case "http": {
      const headers: Record<string, string> = {};
      for (const [header, envName] of Object.entries(config.header_env)) {
        const value = secret(envName);
        if (!value) return missing(envName);
        headers[header] = value;
      }
      return httpFlagService(name, config, headers, http);
    }
  }
}
