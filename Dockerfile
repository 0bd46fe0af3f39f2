# syntax=docker/dockerfile:1
# One image for both processes: the API by default, the worker with
#   docker run … openad-async node apps/worker/dist/main.js
# Build from the repository root: docker build -t openad-async .

ARG NODE_IMAGE=node:20-bookworm-slim

# Only the package manifests, so the `npm ci` layers below stay cached until a
# dependency changes (BuildKit keys COPY --from on content, not on this stage).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY packages ./packages
COPY apps ./apps
RUN mkdir -p /out \
 && find packages apps -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /out/ \;

# Compile every workspace with the dev toolchain.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm run build \
 && test -f apps/api/dist/main.js \
 && test -f apps/worker/dist/main.js \
 && mkdir -p /out \
 && for d in packages/* apps/*; do \
      if [ -d "$d/dist" ]; then mkdir -p "/out/$d" && cp -r "$d/dist" "/out/$d/"; fi; \
    done \
 && find /out -name '*.tsbuildinfo' -delete

# Production dependencies only, laid out as npm workspaces (symlinks in node_modules).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Code stays owned by root and read-only to the process; it runs as the image's `node` user,
# by number so Kubernetes can verify runAsNonRoot.
COPY --from=deps /app ./
COPY --from=build /out/ ./
USER 1000:1000
EXPOSE 8080 9464
# Probes the API (the default command). The worker serves /healthz on
# OPENAD_ASYNC_WORKER_METRICS_PORT: docker-compose.yml overrides this check for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (the apps drain on it).
CMD ["node", "apps/api/dist/main.js"]
