#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` only needs the path to exist; migrations are applied by server/db/migrate.ts.
echo "prisma schema engine is not available offline; use npm run migrate" >&2
exit 1
