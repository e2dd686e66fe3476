import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { request as octokitRequest } from "@octokit/request";
import type { UserSignIn } from "../../ports.ts";

/**
 * GitHub's OAuth web flow for a GitHub App's own client (user-to-server token), by the Octokit
 * maintainers' `@octokit/oauth-methods` (already what Probot's auth uses): the authorize URL, the code
 * exchange at `/login/oauth/access_token`, then `GET /user` once for the login. The token is dropped
 * right after: the command path looks the person's permission up per repository with the App's own
 * installation token, so nothing the user could grant is ever needed or stored.
 */
export class GitHubOAuth implements UserSignIn {
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #request: typeof octokitRequest;

  /** `apiUrl`: `https://api.github.com`, or `https://HOST/api/v3` on GitHub Enterprise Server. */
  constructor(options: { clientId: string; clientSecret: string; apiUrl: string; timeoutMs?: number }) {
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.#request = octokitRequest.defaults({
      baseUrl: options.apiUrl,
      headers: { "user-agent": "rollout-bot-status-page" },
      request: {
        fetch: (url: string, init: RequestInit) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      },
    });
  }

  authorizeUrl(state: string, redirectUri: string): string {
    return getWebFlowAuthorizationUrl({
      clientType: "github-app",
      clientId: this.#clientId,
      redirectUrl: redirectUri,
      state,
      allowSignup: false,
      request: this.#request,
    }).url;
  }

  async exchange(code: string, redirectUri: string): Promise<{ login: string }> {
    const { authentication } = await exchangeWebFlowCode({
      clientType: "github-app",
      clientId: this.#clientId,
      clientSecret: this.#clientSecret,
      code,
      redirectUrl: redirectUri,
      request: this.#request,
    });
    const { data } = await this.#request("GET /user", {
      headers: { authorization: `bearer ${authentication.token}` },
    });
    return { login: data.login };
  }
}
