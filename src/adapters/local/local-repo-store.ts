import { execFile, spawn } from "node:child_process";
import { mkdir, open, readdir, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { MAX_FILE_BYTES } from "../../core/config/yaml-diagnostics.ts";
import { RolloutError } from "../../core/errors.ts";
import type {
  AppliedChange,
  Change,
  DispatchOutcome,
  HistoryEntry,
  RepoFile,
  RepoStore,
  WorkflowDispatch,
} from "../../ports.ts";

const run = promisify(execFile);
export const ROLLOUTS_DIR = ".github/rollouts";

/** Runs git with `input` on stdin (the commit message: no temp file, no shell quoting). */
function gitWithInput(cwd: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, { cwd, env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise();
      else reject(new RolloutError("UPSTREAM", `git ${args[0]} failed: ${stderr.trim().slice(0, 500)}`));
    });
    child.stdin.end(input);
  });
}

/** Reads at most MAX_FILE_BYTES + 1 bytes: enough to refuse a huge file without loading it. */
async function readBounded(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  } finally {
    await handle?.close();
  }
}

export interface LocalRepoStoreOptions {
  /** Commit each change with git (audit trailers in the message); otherwise only the work tree is edited. */
  commit?: boolean;
  /** Commit timestamp source (the demo's compressed clock); default: git's own. */
  commitDate?: () => Date;
  /** `owner/name` the checkout stands for (alerts name their repo); default: the folder name. */
  name?: string;
  /** The CLI or the Action, opted in: metrics URLs in this checkout's files are used. */
  repoMetricsUrls?: boolean;
}

/** A local checkout: files in the work tree, history from `git log`, no workflow dispatch. */
export class LocalRepoStore implements RepoStore {
  readonly name: string;
  readonly dir: string;
  readonly repoMetricsUrls: boolean;
  readonly #commit: boolean;
  readonly #commitDate: (() => Date) | undefined;

  constructor(dir: string, options: LocalRepoStoreOptions = {}) {
    this.dir = resolve(dir);
    this.name = options.name ?? basename(this.dir);
    this.#commit = options.commit ?? false;
    this.#commitDate = options.commitDate;
    this.repoMetricsUrls = options.repoMetricsUrls ?? false;
  }

  #path(path: string): string {
    const full = resolve(this.dir, path);
    if (full !== this.dir && !full.startsWith(this.dir + sep)) {
      throw new RolloutError("REFUSED", `path ${path} is outside the repository`);
    }
    return full;
  }

  async listRolloutFiles(): Promise<RepoFile[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, ROLLOUTS_DIR));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const files = await Promise.all(
      names
        .filter((n) => n.endsWith(".yml") || n.endsWith(".yaml"))
        .sort()
        .map((n) => this.readFile(`${ROLLOUTS_DIR}/${n}`)),
    );
    return files.filter((f): f is RepoFile => f !== undefined);
  }

  async readFile(path: string): Promise<RepoFile | undefined> {
    const text = await readBounded(this.#path(path));
    return text === undefined ? undefined : { path, text };
  }

  async commit(change: Change): Promise<AppliedChange> {
    for (const file of change.files) {
      const full = this.#path(file.path);
      await mkdir(dirname(full), { recursive: true });
      // Write then rename: a crash never leaves a half-written rollout file.
      const temp = `${full}.rollout-bot-${process.pid}.tmp`;
      await writeFile(temp, file.text);
      await rename(temp, full);
    }
    if (!this.#commit) return {};
    const paths = change.files.map((f) => relative(this.dir, this.#path(f.path)));
    await run("git", ["add", "--", ...paths], { cwd: this.dir });
    const date = this.#commitDate?.().toISOString();
    const env = date ? { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : process.env;
    await gitWithInput(
      this.dir,
      ["commit", "--quiet", "--no-verify", "-F", "-", "--", ...paths],
      change.message,
      env,
    );
    const { stdout } = await run("git", ["rev-parse", "HEAD"], { cwd: this.dir });
    return { commit: stdout.trim() };
  }

  async dispatchWorkflow(dispatch: WorkflowDispatch): Promise<DispatchOutcome> {
    return {
      dispatched: false,
      detail: `local checkout: workflow ${dispatch.workflow} not dispatched (use --repo owner/name with GITHUB_TOKEN)`,
    };
  }

  async history(path: string): Promise<HistoryEntry[]> {
    try {
      const { stdout } = await run(
        "git",
        ["log", "--follow", "--format=%H%x1f%aI%x1f%an%x1f%B%x1e", "--", path],
        { cwd: this.dir, maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout
        .split("\x1e")
        .map((chunk) => chunk.replace(/^\n/, ""))
        .filter((chunk) => chunk.trim() !== "")
        .map((chunk) => {
          const [commit = "", date = "", author = "", message = ""] = chunk.split("\x1f");
          return { commit, date, author, message: message.trim() };
        });
    } catch (error) {
      throw new RolloutError("UPSTREAM", `cannot read history: ${this.dir} is not a git repository`, {
        cause: error,
      });
    }
  }
}
