import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { MAX_FILE_BYTES } from "../../core/config/yaml-diagnostics.ts";
import { RolloutError } from "../../core/errors.ts";
import type {
  AppliedChange,
  Change,
  Collaborators,
  DispatchOutcome,
  HistoryEntry,
  PullRequestHost,
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

/** A file as read: its text (at most MAX_FILE_BYTES + 1 bytes of it), its size and its content hash. */
interface ReadResult {
  text: string;
  size: number;
  version: string;
}

/**
 * Reads at most MAX_FILE_BYTES + 1 bytes: enough for the rollout file's "too large" diagnostic without
 * loading a huge file. O_NOFOLLOW: a symlink swapped in after the path was checked is refused too.
 */
async function readBounded(path: string): Promise<ReadResult | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NONBLOCK: a FIFO in the checkout cannot hold the read open.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) throw new RolloutError("REFUSED", `${basename(path)} is not a regular file`);
    const { size } = stats;
    const buffer = Buffer.alloc(Math.min(size, MAX_FILE_BYTES) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    return { text: bytes.toString("utf8"), size: Math.max(size, bytesRead), version: versionOf(bytes) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP")
      throw new RolloutError("REFUSED", `${basename(path)} is a symlink: the bot does not follow symlinks`);
    throw error;
  } finally {
    await handle?.close();
  }
}

/** The version compare-and-swap checks: a hash of the content, as a blob sha is on GitHub. */
function versionOf(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function tooLarge(path: string, size: number): RolloutError {
  return new RolloutError(
    "FILE_TOO_LARGE",
    `${path} is ${Math.ceil(size / 1024)} KiB; the bot reads and writes files up to ${MAX_FILE_BYTES / 1024} KiB, so it is left unchanged`,
  );
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
  /**
   * Pull requests and people for this checkout, from a host in the same process (the demo's stand-in
   * for GitHub, src/adapters/memory): advance then proposes and the gate counts approvals.
   */
  pulls?: PullRequestHost;
  collaborators?: Collaborators;
}

/** A local checkout: files in the work tree, history from `git log`, no workflow dispatch. */
export class LocalRepoStore implements RepoStore {
  readonly name: string;
  readonly dir: string;
  readonly repoMetricsUrls: boolean;
  readonly pulls: PullRequestHost | undefined;
  readonly collaborators: Collaborators | undefined;
  readonly #commit: boolean;
  readonly #commitDate: (() => Date) | undefined;

  constructor(dir: string, options: LocalRepoStoreOptions = {}) {
    this.dir = resolve(dir);
    this.name = options.name ?? basename(this.dir);
    this.#commit = options.commit ?? false;
    this.#commitDate = options.commitDate;
    this.repoMetricsUrls = options.repoMetricsUrls ?? false;
    this.pulls = options.pulls;
    this.collaborators = options.collaborators;
  }

  #path(path: string): string {
    const full = resolve(this.dir, path);
    if (full !== this.dir && !full.startsWith(this.dir + sep)) {
      throw new RolloutError("REFUSED", `path ${path} is outside the repository`);
    }
    return full;
  }

  /**
   * `path` inside the checkout, with no symlink on the way: a symlinked file or folder could point out
   * of the repository (read /etc/…, write over a file elsewhere), so it is refused, never followed.
   */
  async #safePath(path: string): Promise<string> {
    const full = this.#path(path);
    let current = this.dir;
    for (const part of relative(this.dir, full).split(sep).filter(Boolean)) {
      current = join(current, part);
      let stats: Awaited<ReturnType<typeof lstat>>;
      try {
        stats = await lstat(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
        throw error;
      }
      if (stats.isSymbolicLink()) {
        const link = relative(this.dir, current);
        throw new RolloutError(
          "REFUSED",
          `${link} is a symlink: the bot does not follow symlinks (in ${path})`,
        );
      }
    }
    return full;
  }

  async listRolloutFiles(): Promise<RepoFile[]> {
    let names: string[];
    try {
      names = await readdir(await this.#safePath(ROLLOUTS_DIR));
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

  async readFile(path: string, ref?: string): Promise<RepoFile | undefined> {
    if (ref !== undefined) return this.#readAt(path, ref);
    const read = await readBounded(await this.#safePath(path));
    if (read === undefined) return undefined;
    // Over the limit: the text is cut (the rollout file's diagnostic says so); the version says so
    // too, so that no write can ever be based on it.
    const version = read.size > MAX_FILE_BYTES ? `too-large:${read.size}` : read.version;
    return { path, text: read.text, version };
  }

  /** The file as committed at `ref` (a merged change's parent: what a stage came from). */
  async #readAt(path: string, ref: string): Promise<RepoFile | undefined> {
    const target = relative(this.dir, await this.#safePath(path))
      .split(sep)
      .join("/");
    if (!/^[0-9a-f]{4,64}$/i.test(ref))
      throw new RolloutError("REFUSED", `not a commit: ${ref.slice(0, 64)}`);
    try {
      const { stdout } = await run("git", ["show", `${ref}:${target}`], {
        cwd: this.dir,
        maxBuffer: MAX_FILE_BYTES + 1,
      });
      return { path, text: stdout, version: versionOf(stdout) };
    } catch {
      return undefined;
    }
  }

  /**
   * Where this store makes the commits (commit mode), the stage started with the newest commit to the
   * file — the merge of its bump PR: a merged change carries no start time.
   */
  async stageStartedAt(path: string): Promise<Date | undefined> {
    if (!this.#commit) return undefined;
    const date = (await this.history(path).catch(() => []))[0]?.date;
    return date ? new Date(date) : undefined;
  }

  /** Compare-and-swap, as the GitHub store: every file must still be what its change was computed from. */
  async #checkBase(file: Change["files"][number], full: string): Promise<void> {
    const current = await readBounded(full);
    if (current && current.size > MAX_FILE_BYTES) throw tooLarge(file.path, current.size);
    if (file.baseVersion === undefined) return;
    if (current?.version !== file.baseVersion)
      throw new RolloutError("CONFLICT", `${file.path} changed since it was read`);
  }

  async commit(change: Change): Promise<AppliedChange> {
    const targets: { file: Change["files"][number]; full: string }[] = [];
    for (const file of change.files) {
      const size = Buffer.byteLength(file.text, "utf8");
      if (size > MAX_FILE_BYTES) throw tooLarge(file.path, size);
      const full = await this.#safePath(file.path);
      await this.#checkBase(file, full);
      targets.push({ file, full });
    }
    for (const { file, full } of targets) {
      await mkdir(dirname(full), { recursive: true });
      await this.#safePath(file.path);
      // Write then rename: a crash never leaves a half-written rollout file. O_EXCL: the temporary
      // name is never a file (or symlink) someone put there.
      const temp = `${full}.rollout-bot-${process.pid}-${Date.now()}.tmp`;
      const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await handle.writeFile(file.text);
      } finally {
        await handle.close();
      }
      await rename(temp, full).catch(async (error: unknown) => {
        await unlink(temp).catch(() => undefined);
        throw error;
      });
    }
    if (!this.#commit) return {};
    const paths = targets.map((t) => relative(this.dir, t.full));
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
      unsupported: true,
      detail: `local checkout: workflow ${dispatch.workflow} not dispatched (use --repo owner/name with GITHUB_TOKEN)`,
    };
  }

  /** No workflow ever runs from a checkout: a half-done transition here dispatched nothing. */
  async dispatchedRuns(): Promise<number> {
    return 0;
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
