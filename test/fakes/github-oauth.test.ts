import { afterEach, describe, expect, it } from "vitest";
import { GitHubOAuth } from "../../src/adapters/github/github-oauth.ts";
import { type FakeGitHub, startFakeGitHub } from "./github/fake-github.ts";
import { responseProblems } from "./github/openapi.ts";

/**
 * The OAuth web flow of the App's own client against the fake GitHub (which implements it from
 * GitHub's documented shapes: it is not in the REST OpenAPI description), through the adapter the
 * status page uses. `GET /user` is checked against the OpenAPI description like every API route.
 */
describe("GitHub sign-in (OAuth web flow) on the fake GitHub", () => {
  let fake: FakeGitHub;
  const callback = "http://127.0.0.1:9/auth/callback";
  afterEach(async () => fake?.close());

  async function start() {
    fake = await startFakeGitHub();
    fake.state.oauth.callbackUrls = [callback];
    const { clientId, clientSecret } = fake.state.oauth;
    return new GitHubOAuth({ clientId, clientSecret, apiUrl: `${fake.url}/api/v3` });
  }

  const codeFrom = async (url: string) => {
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(302);
    return new URL(response.headers.get("location") ?? "");
  };

  it("authorize → code and state back at the callback → the signed-in login; the token is one the fake issued", async () => {
    const oauth = await start();
    fake.state.oauth.signedIn = "alice";
    const url = oauth.authorizeUrl("s".repeat(43), callback);
    expect(url.startsWith(`${fake.url}/login/oauth/authorize?`)).toBe(true);
    const back = await codeFrom(url);
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    expect(back.searchParams.get("state")).toBe("s".repeat(43));
    const code = back.searchParams.get("code") ?? "";
    expect(await oauth.exchange(code, callback)).toEqual({ login: "alice" });
    expect(fake.state.oauth.issued.map((t) => t.login)).toEqual(["alice"]);
    const user = fake.requestsTo("GET", "users/get-authenticated")[0];
    expect(responseProblems("users/get-authenticated", 200, user?.response)).toEqual([]);
    fake.assertClean();
  });

  it("a code works once; a wrong secret or an unregistered callback is refused", async () => {
    const oauth = await start();
    fake.state.oauth.signedIn = "alice";
    const code =
      (await codeFrom(oauth.authorizeUrl("x".repeat(43), callback))).searchParams.get("code") ?? "";
    await oauth.exchange(code, callback);
    await expect(oauth.exchange(code, callback)).rejects.toThrow(/bad_verification_code/);
    const wrong = new GitHubOAuth({
      clientId: fake.state.oauth.clientId,
      clientSecret: "nope",
      apiUrl: `${fake.url}/api/v3`,
    });
    await expect(wrong.exchange("whatever", callback)).rejects.toThrow(/incorrect_client_credentials/);
    const elsewhere = await fetch(oauth.authorizeUrl("y".repeat(43), "http://evil.example/cb"), {
      redirect: "manual",
    });
    expect(elsewhere.status).toBe(400);
    expect(() => fake.assertClean()).toThrow(
      /used twice[\s\S]*wrong client credentials[\s\S]*not a registered callback/,
    );
  });

  it("without a GitHub session, GitHub shows its sign-in form first", async () => {
    const oauth = await start();
    const response = await fetch(oauth.authorizeUrl("z".repeat(43), callback));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('name="fake_login"');
  });
});
