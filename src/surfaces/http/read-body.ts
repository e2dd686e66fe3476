import type { IncomingMessage } from "node:http";
import getRawBody from "raw-body";

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads a bounded body (413 past the limit) and parses it as JSON (400 with the reason). */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  let text: string;
  try {
    text = await getRawBody(req, { limit, encoding: "utf8" });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") throw new HttpError(413, `body larger than ${limit} bytes`);
    throw new HttpError(400, "could not read the request body");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}
