# syntax=docker/dockerfile:1
# rollout-bot server image: `docker build -t rollout-bot .` then
# `docker run -p 3000:3000 --env-file .env rollout-bot`. test/deploy/image.test.ts runs this file's
# build steps and the files it copies (no Docker engine needed) and checks they start and pass the
# HEALTHCHECK.

# Build: every dependency, the bundles in dist/, then only the production dependencies are kept.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.declarations.json ./
COPY scripts/ ./scripts/
COPY src/ ./src/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: production dependencies, the bundles and the GitHub App manifest; no sources, no dev tools.
FROM node:24-bookworm-slim
# tini as PID 1 forwards SIGTERM to node (whose handler drains in-flight work, then exits 0) and reaps
# any orphaned child process; Kubernetes has no `docker run --init`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules/ ./node_modules/
COPY --from=build /app/dist/ ./dist/
COPY app.yml ./app.yml
# The files belong to root and cannot be changed by the server; the directory is the node user's so
# the GitHub App registration page (shown while APP_ID is unset) can write /app/.env.
RUN chown node:node /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The heap flags are npm start's (package.json; a test keeps the two the same): see README "Memory".
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "dist/server.js"]
