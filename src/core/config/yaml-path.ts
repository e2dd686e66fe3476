import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";

/** A path into a YAML document: map keys as strings, sequence indexes as numbers (or digit strings). */
export type YamlPath = readonly (string | number)[];

export interface YamlStep {
  /** The node reached; null when a pair has no value node at all. */
  node: Node | null;
  /** The pair whose value `node` is, when the step went through a mapping. */
  pair?: Pair<Node, Node | null>;
}

/**
 * Follows `path` from the document root and returns every node reached: `steps[0]` is the root,
 * `steps[i]` the node after `i` segments. It stops early at the first segment that does not exist,
 * so `steps.length === path.length + 1` means the whole path exists.
 * Our own walk rather than `doc.getIn`: keys are compared as text (`10:` matches "10") and the
 * pairs are kept, because callers need the key's position as well as the value's.
 */
export function walkYamlPath(
  doc: Document,
  path: YamlPath,
  options: { resolveAliases?: boolean } = {},
): YamlStep[] {
  const root = doc.contents as Node | null;
  const steps: YamlStep[] = [{ node: root }];
  let node: Node | null = root;
  for (const segment of path) {
    if (isAlias(node)) {
      // Editing through an alias would silently change every other use of the anchor.
      if (!options.resolveAliases) break;
      node = (node.resolve(doc) as Node | undefined) ?? null;
    }
    if (isMap(node)) {
      const pair = (node.items as Pair<Node, Node | null>[]).find(
        (item) => keyText(item.key) === String(segment),
      );
      if (!pair) break;
      node = pair.value;
      steps.push({ node, pair });
    } else if (isSeq(node)) {
      const index = typeof segment === "number" ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      const item = index >= 0 ? (node.items[index] as Node | null | undefined) : undefined;
      if (item === undefined) break;
      node = item;
      steps.push({ node });
    } else {
      break;
    }
  }
  return steps;
}

/** A map key as text, or undefined for complex keys (`? [a, b]`) that no path can name. */
export function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}
