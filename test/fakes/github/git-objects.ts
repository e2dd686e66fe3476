import { createHash } from "node:crypto";

/**
 * The git object store of one fake repository: blobs, trees and commits, content-addressed.
 *
 * Blob shas are real git blob shas (`git hash-object` would agree), so a test can compute the sha
 * a file should have. Trees are kept flat (path → blob sha), which is all the bot needs; tree and
 * commit shas are stable sha1s of their contents, not byte-exact git objects.
 */

export interface GitIdentity {
  name: string;
  email: string;
  date: string;
}

export interface GitCommit {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
  /** Signed by GitHub, as it signs the commits it makes itself (API writes, merges) for their author. */
  signed?: boolean;
}

/** A flat tree: every file's full path → its blob sha. */
export type FlatTree = ReadonlyMap<string, string>;

export function sha1(text: string | Buffer): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The sha git gives a blob: sha1 of `blob <byte length>\0<content>`. */
export function gitBlobSha(content: Buffer): string {
  return sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));
}

export class GitObjects {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, FlatTree>();
  readonly commits = new Map<string, GitCommit>();

  putBlob(content: Buffer | string): string {
    const buffer = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = gitBlobSha(buffer);
    this.blobs.set(sha, buffer);
    return sha;
  }

  putTree(files: FlatTree): string {
    const entries = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = sha1(`tree\0${entries.map(([path, blob]) => `${path}\0${blob}`).join("\n")}`);
    if (!this.trees.has(sha)) this.trees.set(sha, new Map(entries));
    return sha;
  }

  putCommit(commit: Omit<GitCommit, "sha">): GitCommit {
    const sha = sha1(
      [
        `tree ${commit.treeSha}`,
        ...commit.parents.map((p) => `parent ${p}`),
        `author ${commit.author.name} <${commit.author.email}> ${commit.author.date}`,
        `committer ${commit.committer.name} <${commit.committer.email}> ${commit.committer.date}`,
        ...(commit.signed ? ["gpgsig -----BEGIN PGP SIGNATURE----- (GitHub)"] : []),
        "",
        commit.message,
      ].join("\n"),
    );
    const stored = { ...commit, sha };
    this.commits.set(sha, stored);
    return stored;
  }

  /** The flat tree of a commit. */
  filesOf(commitSha: string): FlatTree {
    const commit = this.commits.get(commitSha);
    return (commit && this.trees.get(commit.treeSha)) ?? new Map();
  }

  /**
   * A tree's direct children, for the non-recursive tree API: files as blobs, directories as
   * subtrees. Subtrees are stored too, so their shas can be fetched in turn.
   */
  childrenOf(tree: FlatTree): Array<{ name: string; type: "blob" | "tree"; sha: string }> {
    const dirs = new Map<string, Map<string, string>>();
    const out: Array<{ name: string; type: "blob" | "tree"; sha: string }> = [];
    for (const [path, blob] of tree) {
      const slash = path.indexOf("/");
      if (slash < 0) {
        out.push({ name: path, type: "blob", sha: blob });
        continue;
      }
      const dir = path.slice(0, slash);
      const sub = dirs.get(dir) ?? new Map<string, string>();
      sub.set(path.slice(slash + 1), blob);
      dirs.set(dir, sub);
    }
    for (const [name, sub] of dirs) out.push({ name, type: "tree", sha: this.putTree(sub) });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every directory path implied by a flat tree (`a/b/c.txt` → `a`, `a/b`). */
  directoriesOf(tree: FlatTree): string[] {
    const dirs = new Set<string>();
    for (const path of tree.keys()) {
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    return [...dirs].sort();
  }

  /** Is `ancestor` reachable from `descendant` by parent links (or the same commit)? */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    while (queue.length > 0) {
      const sha = queue.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  /** Nearest common ancestor of two commits (first found breadth-first from `b`). */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = new Set<string>();
    const stack = [a];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (fromA.has(sha)) continue;
      fromA.add(sha);
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const sha = queue.shift()!;
      if (fromA.has(sha)) return sha;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return undefined;
  }

  /**
   * Three-way merge of flat trees, file by file: a path changed on one side takes that side; a
   * path changed differently on both sides is a conflict (GitHub's "not mergeable").
   */
  mergeTrees(base: FlatTree, ours: FlatTree, theirs: FlatTree): Map<string, string> | undefined {
    const merged = new Map<string, string>();
    const paths = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()]);
    for (const path of paths) {
      const b = base.get(path);
      const o = ours.get(path);
      const t = theirs.get(path);
      let result: string | undefined;
      if (o === t) result = o;
      else if (o === b) result = t;
      else if (t === b) result = o;
      else return undefined;
      if (result !== undefined) merged.set(path, result);
    }
    return merged;
  }
}
