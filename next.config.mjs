/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone",
  // Lets a second build (a helper checking its pages, a benchmark) live beside the main one.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
  // Type checking and lint run as their own steps of `npm test`; the build does not repeat them.
  typescript: { ignoreBuildErrors: true },
  // Node-only drivers stay out of the bundle and are required at run time.
  serverExternalPackages: ["@kubernetes/client-node", "pg", "@prisma/adapter-pg", "@electric-sql/pglite", "@electric-sql/pglite-socket", "playwright-core"],
  // The server's diagram renderer (server/architecture/drawing.ts) reads mermaid's published bundle at run time, and
  // playwright-core reads files of its own that tracing does not see.
  outputFileTracingIncludes: { "/**": ["./node_modules/mermaid/package.json", "./node_modules/mermaid/dist/mermaid.min.js", "./node_modules/playwright-core/**"] },
  experimental: {
    serverActions: { bodySizeLimit: "1mb" },
    // unauthorized() and forbidden() render app/unauthorized.tsx and app/forbidden.tsx with real 401/403 statuses.
    authInterrupts: true,
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};
export default nextConfig;
