import { parser } from "@prometheus-io/lezer-promql";

/**
 * PromQL syntax, checked with Prometheus' own grammar (the one its UI's editor uses) so a typo in a
 * query is reported when the file is validated, not as "no data" once the rollout runs. Syntax only:
 * type errors (`rate(x)` without a range) still surface from Prometheus at query time.
 */
export interface PromqlSyntaxError {
  /** Offset of the first error in the query text. */
  offset: number;
  message: string;
}

export function promqlSyntaxError(query: string): PromqlSyntaxError | undefined {
  let offset: number | undefined;
  parser.parse(query).iterate({
    enter: (node) => {
      if (offset !== undefined) return false;
      if (node.type.isError) offset = node.from;
      return undefined;
    },
  });
  if (offset === undefined) return undefined;
  const rest = query.slice(offset).trimStart();
  const found = rest === "" ? "the end of the query" : `'${Array.from(rest).slice(0, 12).join("")}'`;
  return { offset, message: `PromQL syntax error at ${found} (column ${offset + 1} of the query)` };
}
