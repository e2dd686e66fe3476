import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The parent's handle on the fake GitHub child process (bench/lib/fake-github-child.ts). */
export interface FakeGitHubProcess {
  url: string;
  host: string;
  child: ChildProcess;
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  requests(from?: number): Promise<RequestRecord[]>;
  close(): Promise<void>;
}

export interface RequestRecord {
  method: string;
  operation: string;
  status: number;
  at: number;
  path: string;
}

export async function startFakeGitHubProcess(): Promise<FakeGitHubProcess> {
  const script = fileURLToPath(new URL("./fake-github-child.ts", import.meta.url));
  const child = fork(script, [], {
    execArgv: ["--import", "tsx", "--max-old-space-size=4096"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = await new Promise<{ url: string; host: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fake GitHub exited with ${code}`)));
    child.on("message", (m: { ready?: boolean; url: string; host: string }) => {
      if (m.ready) resolve(m);
    });
  });
  child.on("message", (m: { id?: number; ok: boolean; result: unknown; error: string }) => {
    if (m.id === undefined) return;
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) waiter?.resolve(m.result);
    else waiter?.reject(new Error(m.error));
  });
  const call = <T>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, args });
    });
  return {
    ...ready,
    child,
    call,
    requests: async (from = 0) =>
      (await call<[string, string, number, number, string][]>("requests", { from })).map(
        ([method, operation, status, at, path]) => ({ method, operation, status, at, path }),
      ),
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}
