import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Signed cookie values: `base64url(JSON).base64url(HMAC-SHA256)`. node:crypto's HMAC and
 * `timingSafeEqual` are all a session of a few public fields needs (who, a CSRF token, an expiry): no
 * secret is kept in it, so it needs integrity, not encryption, and a library would add only a format.
 * Each value is bound to its cookie's name, so one cookie can never be replayed as another.
 */

export const Session = z.strictObject({
  v: z.literal(1),
  /** `github`: signed in with GitHub as `login`; `local`: the loopback viewer of local mode. */
  kind: z.enum(["github", "local"]),
  login: z.string().min(1).max(39).optional(),
  /** Sent back with every state change (the synchronizer token). */
  csrf: z.string().min(32).max(64),
  /** Expiry, seconds since the epoch. */
  exp: z.number().int(),
});
export type Session = z.output<typeof Session>;

export const OAuthState = z.strictObject({
  v: z.literal(1),
  state: z.string().min(32).max(64),
  /** A path on this server to return to after signing in. */
  returnTo: z.string().max(2000),
  exp: z.number().int(),
});
export type OAuthState = z.output<typeof OAuthState>;

export const randomToken = (): string => randomBytes(32).toString("base64url");

export class CookieSigner {
  readonly #key: Buffer;
  readonly #now: () => number;

  /** `secret`: at least 32 characters (SESSION_SECRET), or random per process when none is configured. */
  constructor(secret: string | undefined, now: () => number = Date.now) {
    this.#key = Buffer.from(secret ?? randomToken(), "utf8");
    this.#now = now;
  }

  #mac(name: string, body: string): Buffer {
    return createHmac("sha256", this.#key).update(`${name}.${body}`).digest();
  }

  sign(name: string, value: object): string {
    const body = Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
    return `${body}.${this.#mac(name, body).toString("base64url")}`;
  }

  /** The value when the signature holds, it parses and it has not expired; otherwise undefined. */
  verify<T extends { exp: number }>(
    name: string,
    raw: string | undefined,
    schema: z.ZodType<T>,
  ): T | undefined {
    if (!raw || raw.length > 4096) return undefined;
    const [body, mac, extra] = raw.split(".");
    if (!body || !mac || extra !== undefined) return undefined;
    const given = Buffer.from(mac, "base64url");
    const expected = this.#mac(name, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success || parsed.data.exp * 1000 <= this.#now()) return undefined;
    return parsed.data;
  }

  /** Seconds since the epoch, `seconds` from now. */
  expiresIn(seconds: number): number {
    return Math.floor(this.#now() / 1000) + seconds;
  }
}

/** Compares two tokens in constant time (CSRF). */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
