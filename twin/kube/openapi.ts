// `/openapi/v3`: enough OpenAPI for kubectl's apply validation. kubectl (≥ 1.27) reads the discovery index, then the
// group-version document, and looks for a PATCH operation tagged with the kind's x-kubernetes-group-version-kind that
// takes a `fieldValidation` query parameter; when it finds one it leaves validation to the server
// (`fieldValidation=Strict`, see fields.ts). Schemas are not served: kubectl needs them only for client-side validation
// and client-side apply, which the server-side path replaces (twin/README.md says so).
import { createHash } from "node:crypto";
import { RESOURCES, type ResourceDef } from "./resources";

const gvPath = (r: ResourceDef) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);

const queryParam = (name: string, description: string) => ({ name, in: "query", description, schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true } });

function operations(r: ResourceDef, itemPath: boolean) {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const op = (action: string, verb: string, params: object[]) => ({
    tags: [r.group ? `${r.group.split(".")[0]}_${r.version}` : `core_${r.version}`],
    description: `${verb} ${r.kind}`,
    operationId: `${action}${r.kind}`,
    parameters: params,
    responses: { "200": { description: "OK" }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  });
  const write = [
    queryParam("dryRun", "When present, indicates that modifications should not be persisted."),
    queryParam("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
    queryParam("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict."),
  ];
  if (!itemPath) return { get: op("list", "list or watch objects of kind", []), post: op("post", "create a", write) };
  return {
    get: op("get", "read the specified", []),
    put: op("put", "replace the specified", write),
    patch: op("patch", "partially update the specified", [...write, queryParam("force", "Force is going to \"force\" Apply requests.")]),
    delete: op("delete", "delete a", [queryParam("dryRun", "When present, indicates that modifications should not be persisted.")]),
  };
}

/** The document for one group-version ("api/v1", "apis/apps/v1"), or undefined. */
export function openapiDocument(path: string): object | undefined {
  const rs = RESOURCES.filter((r) => gvPath(r) === path);
  if (!rs.length) return undefined;
  const paths: Record<string, object> = {};
  for (const r of rs) {
    const base = `/${gvPath(r)}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}`;
    paths[base] = operations(r, false);
    paths[`${base}/{name}`] = operations(r, true);
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths, components: { schemas: {} } };
}

/** `/openapi/v3`: every group-version with the URL (and content hash) of its document. */
export function openapiIndex(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const p of [...new Set(RESOURCES.map(gvPath))]) {
    const hash = createHash("sha512").update(JSON.stringify(openapiDocument(p))).digest("hex").toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
