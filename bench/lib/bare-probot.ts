// The baseline of bench/webhook-ingest.ts: a bare Probot app (createNodeMiddleware, an empty handler)
// on a plain node:http server, in its own process like the bot.
import { createServer } from "node:http";
import { createNodeMiddleware, createProbot } from "probot";

const probot = createProbot({
  env: {
    APP_ID: "1",
    PRIVATE_KEY: process.env.PRIVATE_KEY ?? "",
    WEBHOOK_SECRET: process.env.WEBHOOK_SECRET ?? "",
    LOG_LEVEL: "fatal",
  } as NodeJS.ProcessEnv,
});
const middleware = await createNodeMiddleware(
  (app) => {
    app.on("issue_comment.created", async () => {});
  },
  { probot, webhooksPath: "/api/github/webhooks" },
);
const server = createServer((req, res) => {
  middleware(req, res, () => {
    res.writeHead(404);
    res.end();
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
