import * as core from "@actions/core";
import type { Logger } from "../ports.ts";
import { runAction } from "../surfaces/action/action-run.ts";

/**
 * The GitHub Action's entry (bundled to dist/action.js): the only module that touches `@actions/core`.
 * It hands the runner's side (outputs, annotations, masking, job summary, log) to runAction and ends
 * the step non-zero on failure.
 */

const SECRET_KEY = /token|authorization|password|secret|private.?key/i;

/** Log lines for the runner's log: the static message, then its fields as JSON (secret keys censored). */
function actionLogger(bindings: object = {}): Logger {
  const line = (fields: object, message: string) => {
    const data = { ...bindings, ...fields };
    if (Object.keys(data).length === 0) return message;
    return `${message} ${JSON.stringify(data, (key, value) => (SECRET_KEY.test(key) ? "[redacted]" : value))}`;
  };
  return {
    info: (fields, message) => core.info(line(fields, message)),
    warn: (fields, message) => core.warning(line(fields, message)),
    error: (fields, message) => core.error(line(fields, message)),
    debug: (fields, message) => core.debug(line(fields, message)),
    child: (more) => actionLogger({ ...bindings, ...more }),
  };
}

const result = await runAction({
  env: process.env,
  setSecret: core.setSecret,
  setOutput: core.setOutput,
  annotate: (message, at) =>
    core.error(message, { file: at.file, startLine: at.line, startColumn: at.column }),
  warning: (message) => core.warning(message),
  info: core.info,
  summary: async (markdown) => {
    // Outside a runner there is no summary file: skip quietly rather than fail the command.
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(markdown, true).write();
  },
  logger: actionLogger(),
}).catch((error: unknown) => ({
  ok: false as const,
  failure: `internal error: ${error instanceof Error ? error.message : String(error)}`,
}));
if (!result.ok) core.setFailed(result.failure);
