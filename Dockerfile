# syntax=docker/dockerfile:1
# shellgate in a container (docs/operations.md, "Docker"): a build stage with the compilers that the
# native addons (server/native) need, and a slim runtime stage that runs the gateway as an
# unprivileged user, under tini so that orphaned grandchildren of sessions are reaped.
#
#   docker build -t shellgate .
#   docker run -d -p 127.0.0.1:8022:8022 -v "$PWD/gateway.json:/etc/shellgate/config.json:ro" shellgate

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
# python3, make and g++ come with this image: node-gyp builds server/native here (and node-pty, which
# only the tests use; the prune below drops it).
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY client/package.json client/
COPY server/package.json server/
COPY server/native server/native
COPY web/package.json web/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf test server/src shared/src client/src web/src web/node_modules/.vite \
  && find . -name '*.tsbuildinfo' -not -path './node_modules/*' -delete

FROM node:${NODE_VERSION}-bookworm-slim
# tini: pid 1 that reaps zombies. bash and bc: the default profiles' programs. procps: ps, for
# operators inside sessions. Add the tools your profiles run here.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini bash bc procps ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# Sessions run as this user, with its home as their working directory: never root.
USER node
WORKDIR /home/node
ENV NODE_ENV=production
EXPOSE 8022
# /healthz answers without a credential; it is served at the root whatever basePath says.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8022/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "--max-semi-space-size=2", "--single-threaded-gc", "/app/server/dist/cli.js"]
# A container is reached through its published port, so the gateway binds every interface in it;
# publish the port on 127.0.0.1 (as above) or put TLS and allowedHosts in the configuration.
CMD ["serve", "--host", "0.0.0.0", "--config", "/etc/shellgate/config.json"]
