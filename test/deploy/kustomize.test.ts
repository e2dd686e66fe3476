import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseDockerfile } from "../helpers/dockerfile.ts";
import { requireBinaries } from "../helpers/processes.ts";

/**
 * deploy/ as `kubectl kustomize` renders it, each object checked against the Kubernetes OpenAPI
 * schemas that the kubernetes-models package ships (offline, with ajv), then against what an SRE
 * expects of a replicated bot.
 */
const root = join(import.meta.dirname, "../..");
// Wherever PATH has it (Debian's kubernetes-client: /usr/bin/kubectl; GitHub's runners: /usr/local/bin).
const kubectlPath =
  (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "kubectl"))
    .find((path) => existsSync(path)) ?? "/usr/bin/kubectl";
const kubectl = requireBinaries([kubectlPath]);

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML, each object checked by the schemas first
type Obj = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: any };

describe.runIf(kubectl.available)("deploy/ (kustomize)", () => {
  let objects: Obj[] = [];
  beforeAll(() => {
    const rendered = execFileSync(kubectlPath, ["kustomize", join(root, "deploy")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
  });
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it("renders objects that pass the Kubernetes schemas", () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service"].sort(),
    );
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), object.kind).not.toThrow();
    }
  });

  it("the schema check catches a malformed object (it checks something)", () => {
    const deployment = structuredClone(byKind("Deployment")[0]!);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(() => new Deployment(deployment as never).validate()).toThrow(/containerPort/);
  });

  it("runs ≥ 2 replicas on REDIS_URL, probes /healthz, sets resources and reads secrets by reference", () => {
    const [deployment] = byKind("Deployment");
    const spec = deployment!.spec;
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const [container] = spec.template.spec.containers;
    const configMap = byKind("ConfigMap")[0]!;
    expect(container.envFrom).toEqual(
      expect.arrayContaining([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: "rollout-bot" } },
      ]),
    );
    expect(configMap.data.REDIS_URL).toMatch(/^redis:\/\//);
    expect(byKind("Secret")).toEqual([]); // nothing secret is rendered from the repository
    for (const probe of [container.readinessProbe, container.livenessProbe])
      expect(probe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits.memory).toBeDefined();
    expect(spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it("listens where the image does, and the Service and the disruption budget select its pods", () => {
    const dockerfile = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8")).at(-1)!;
    const exposed = dockerfile.instructions.find((i) => i.keyword === "EXPOSE")?.args[0];
    const deployment = byKind("Deployment")[0]!;
    const pod = deployment.spec.template;
    const port = pod.spec.containers[0].ports.find((p: { name: string }) => p.name === "http");
    expect(String(port.containerPort)).toBe(exposed);
    const labels = pod.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(matches(byKind("Service")[0]!.spec.selector)).toBe(true);
    const budget = byKind("PodDisruptionBudget")[0]!.spec;
    expect(matches(budget.selector.matchLabels)).toBe(true);
    expect(budget.minAvailable).toBeLessThan(deployment.spec.replicas);
  });
});
