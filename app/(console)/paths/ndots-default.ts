/** The ndots explainer's first question (the page's server read and the form's starting values). */
export const NDOTS_DEFAULT = { name: "www.cloudflare.com", namespace: "default" } as const;
