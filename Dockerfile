# dnsdeck: Next.js standalone build + the CLI the Technitium CronJobs run (dist/cli.js) + migrations (dist/migrate.js).
FROM node:22-bookworm-slim AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

FROM node:22-bookworm-slim
# Debian's Chromium draws the architecture graph and the resolution paths on the server (server/architecture/drawing.ts),
# so they arrive with the page; about 300 MB of image. `--build-arg DIAGRAMS=browser` leaves it out: then each browser
# draws them itself (set DIAGRAM_RENDERER=off to say so). DejaVu Sans, the widest common sans, measures the labels, so
# they fit their boxes in whatever font the reader's browser has.
ARG DIAGRAMS=chromium
RUN if [ "$DIAGRAMS" = chromium ]; then apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
      && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 DNSDECK_ROOT=/app \
    DNSDECK_MIGRATIONS_DIR=/app/prisma/migrations
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/server/start.mjs ./server/start.mjs
COPY --from=build /src/prisma/migrations ./prisma/migrations
USER 10001:10001
EXPOSE 3000
CMD ["node", "server/start.mjs"]
