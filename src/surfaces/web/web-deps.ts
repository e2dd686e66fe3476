import type { Services } from "../../commands/services.ts";
import type { Logger, RepoRegistry, UserSignIn } from "../../ports.ts";
import type { LiveUpdates } from "./live-updates.ts";
import type { CookieSigner } from "./session.ts";

/** What the status page is built from; wired by src/main/web.ts. */
export interface WebDeps {
  services: Services;
  /** Every repository the server serves: a viewer sees those the command path lets them read. */
  registry: RepoRegistry;
  signer: CookieSigner;
  /** GitHub sign-in (the App's OAuth client); undefined: no sign-in configured. */
  signIn?: UserSignIn | undefined;
  /** Local mode without sign-in: a loopback viewer is the local principal. */
  localMode: boolean;
  /** The page's public address (`PUBLIC_URL`): the OAuth callback, the expected Origin, Secure cookies. */
  publicUrl?: string | undefined;
  assets: { js: Buffer; css: Buffer };
  live: LiveUpdates;
  logger: Logger;
}
