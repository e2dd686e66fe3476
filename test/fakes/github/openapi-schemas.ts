import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/**
 * JSON Schema validation against GitHub's OpenAPI 3.0 description.
 *
 * The whole document is handed to Ajv once under a made-up `$id`, so every `$ref: "#/components/…"`
 * inside it resolves as it is written; a validator is compiled only when an operation is first
 * used (`{ $ref: "<id>#/paths/…/schema" }`) and cached by pointer. Compiling the whole
 * description up front would take seconds and most of it is never used by a test.
 */

const addFormats = addFormatsModule.default;
const DOCUMENT_ID = "https://fake-github.invalid/api.github.com.json";

/** Formats the description uses that are only hints (OpenAPI's numeric formats, GitHub's own). */
const HINT_FORMATS = ["int32", "int64", "double", "float", "repo.nwo", "uri-template", "binary"];

/**
 * OpenAPI 3.0 says "may also be null" with `nullable: true`, which JSON Schema 2020 does not know.
 * Rewrite it in place, children first: a plain `type` widens to `[type, "null"]`; anything else
 * (enums, `allOf`, `$ref` siblings) becomes `anyOf: [original, { type: "null" }]`.
 * Ajv's own `nullable` support refuses schemas without a sibling `type`, which GitHub has.
 */
export function normaliseNullable(node: unknown): number {
  let rewritten = 0;
  if (Array.isArray(node)) {
    for (const item of node) rewritten += normaliseNullable(item);
    return rewritten;
  }
  if (node === null || typeof node !== "object") return 0;
  const record = node as Record<string, unknown>;
  for (const value of Object.values(record)) rewritten += normaliseNullable(value);
  if (record.nullable !== true) return rewritten;
  delete record.nullable;
  if (typeof record.type === "string" && record.enum === undefined) {
    record.type = [record.type, "null"];
  } else {
    const original = { ...record };
    for (const key of Object.keys(record)) delete record[key];
    record.anyOf = [original, { type: "null" }];
  }
  return rewritten + 1;
}

/** Escape one key for a JSON pointer, then for the URI fragment Ajv resolves it from. */
export function pointerToken(key: string): string {
  return encodeURIComponent(key.replace(/~/g, "~0").replace(/\//g, "~1"));
}

export interface SchemaValidators {
  /** Validator for the schema at `pointer` (a fragment such as `/paths/~1repos…/post/…/schema`). */
  at(pointer: string): ValidateFunction;
}

/** One Ajv per loaded document: compiling is lazy, the document is parsed once. */
export function createSchemaValidators(document: object): SchemaValidators {
  // strict off: the description carries `example`, `discriminator`, `x-*` and `readOnly` keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  for (const format of HINT_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema(document, DOCUMENT_ID);
  const cache = new Map<string, ValidateFunction>();
  return {
    at(pointer) {
      let validate = cache.get(pointer);
      if (!validate) {
        validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
        cache.set(pointer, validate);
      }
      return validate;
    },
  };
}

/** Ajv errors as one line each, `/title must be string`, the way a test failure should read. */
export function describeErrors(validate: ValidateFunction, where: string): string[] {
  return (validate.errors ?? []).map((error) => {
    const extra = error.keyword === "enum" ? ` (${JSON.stringify(error.params.allowedValues)})` : "";
    const extraProp =
      error.keyword === "additionalProperties" ? ` ('${String(error.params.additionalProperty)}')` : "";
    return `${where}${error.instancePath || ""} ${error.message ?? "is invalid"}${extra}${extraProp}`;
  });
}
