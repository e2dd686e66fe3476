import { readFileSync } from "node:fs";
import { request } from "node:http";

/**
 * Sends `bytes` of body to a URL as fast as the server takes them, with a Content-Length or chunked,
 * and reports the status the server answered or that it cut the connection ("reset").
 */
export function blast(
  url: string,
  options: { bytes: number; chunked: boolean; headers?: Record<string, string>; fill?: string },
): Promise<number | "reset"> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(256 * 1024, options.fill ?? "a");
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (!options.chunked) headers["content-length"] = String(options.bytes);
    const req = request(url, { method: "POST", headers });
    let settled = false;
    const settle = (value: number | "reset") => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on("response", (res) => {
      res.resume();
      settle(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", () => settle("reset"));
    let sent = 0;
    const pump = () => {
      while (sent < options.bytes && !req.destroyed) {
        const piece = Math.min(chunk.length, options.bytes - sent);
        sent += piece;
        if (!req.write(piece === chunk.length ? chunk : chunk.subarray(0, piece))) {
          req.once("drain", pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

/** Resident memory of a process, in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
