/**
 * Walks zod 4 schemas through `_zod.def` to find what is allowed at a path of the input: the keys an
 * object knows (for "did you mean") and the options of a union (for friendlier messages).
 */

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: readonly Schema[];
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  items?: readonly Schema[];
  getter?: () => Schema;
}
export interface Schema {
  _zod: { def: Def };
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"]);

/** Strips wrappers (optional, default, pipe input, lazy) but keeps unions. */
function strip(schema: Schema): Schema {
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type) && def.innerType) return strip(def.innerType);
  // A pipe is checked on its input, unless the input is only a transform (z.preprocess).
  if (def.type === "pipe" && def.in) {
    return strip(def.in._zod.def.type === "transform" && def.out ? def.out : def.in);
  }
  if (def.type === "lazy" && def.getter) return strip(def.getter());
  return schema;
}

/** Every schema that may apply at `path` (several when the path runs through a union). */
export function schemasAt(root: unknown, path: readonly (string | number)[]): Schema[] {
  let current: Schema[] = [root as Schema];
  for (const seg of path) {
    current = current.flatMap(expand).flatMap((s): Schema[] => {
      const def = s._zod.def;
      const next =
        def.type === "object"
          ? def.shape?.[String(seg)]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : def.type === "tuple"
                ? def.items?.[Number(seg)]
                : undefined;
      return next ? [next] : [];
    });
  }
  return current.map(strip);
}

export function expand(schema: Schema): Schema[] {
  const s = strip(schema);
  const def = s._zod.def;
  return def.type === "union" && def.options ? def.options.flatMap(expand) : [s];
}

export function unionOptions(
  root: unknown,
  path: readonly (string | number)[],
): readonly Schema[] | undefined {
  return schemasAt(root, path).find((s) => s._zod.def.type === "union")?._zod.def.options;
}

export function knownKeys(root: unknown, path: readonly (string | number)[]): string[] {
  return schemasAt(root, path)
    .flatMap(expand)
    .flatMap((s) => Object.keys(s._zod.def.type === "object" ? (s._zod.def.shape ?? {}) : {}));
}
