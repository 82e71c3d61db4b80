// Which fields the API server knows, for field validation (`fieldValidation=Strict|Warn|Ignore`, kube-apiserver ≥
// 1.27): an unknown field is a 400 under Strict and is dropped (with a `Warning` header under Warn, the default)
// otherwise. The schema below names the fields of the kinds the twin serves; subtrees the twin does not model field
// by field are "any" (never reported), so the twin can only miss an unknown field there, never invent one.
import type { ResourceDef } from "./resources";
import { isObj, type Obj } from "./util";

type S = "scalar" | "map" | "any" | { [field: string]: S } | [S];

const any: S = "any";
const scalar: S = "scalar";
const map: S = "map";
const obj = (fields: Record<string, S>): S => fields;
const list = (item: S): S => [item];

const objectMeta = obj({
  name: scalar, generateName: scalar, namespace: scalar, uid: scalar, resourceVersion: scalar, generation: scalar, selfLink: scalar,
  creationTimestamp: scalar, deletionTimestamp: scalar, deletionGracePeriodSeconds: scalar, labels: map, annotations: map,
  ownerReferences: list(obj({ apiVersion: scalar, kind: scalar, name: scalar, uid: scalar, controller: scalar, blockOwnerDeletion: scalar })),
  finalizers: list(scalar), managedFields: any,
});
const labelSelector = obj({ matchLabels: map, matchExpressions: list(obj({ key: scalar, operator: scalar, values: list(scalar) })) });
const probe = obj({
  exec: any, httpGet: obj({ host: scalar, path: scalar, port: scalar, scheme: scalar, httpHeaders: any }), tcpSocket: any, grpc: any,
  initialDelaySeconds: scalar, timeoutSeconds: scalar, periodSeconds: scalar, successThreshold: scalar, failureThreshold: scalar, terminationGracePeriodSeconds: scalar,
});
const container = obj({
  name: scalar, image: scalar, command: list(scalar), args: list(scalar), workingDir: scalar,
  ports: list(obj({ name: scalar, containerPort: scalar, hostPort: scalar, hostIP: scalar, protocol: scalar })),
  envFrom: any, env: list(obj({ name: scalar, value: scalar, valueFrom: any })),
  resources: obj({ limits: map, requests: map, claims: any }), resizePolicy: any, restartPolicy: scalar,
  volumeMounts: list(obj({ name: scalar, readOnly: scalar, recursiveReadOnly: scalar, mountPath: scalar, subPath: scalar, mountPropagation: scalar, subPathExpr: scalar })),
  volumeDevices: any, livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: any,
  terminationMessagePath: scalar, terminationMessagePolicy: scalar, imagePullPolicy: scalar, securityContext: any,
  stdin: scalar, stdinOnce: scalar, tty: scalar,
});
const podSpec = obj({
  volumes: list(any), initContainers: list(container), containers: list(container), ephemeralContainers: any,
  restartPolicy: scalar, terminationGracePeriodSeconds: scalar, activeDeadlineSeconds: scalar, dnsPolicy: scalar, nodeSelector: map,
  serviceAccountName: scalar, serviceAccount: scalar, automountServiceAccountToken: scalar, nodeName: scalar, hostNetwork: scalar,
  hostPID: scalar, hostIPC: scalar, shareProcessNamespace: scalar, securityContext: any, imagePullSecrets: list(obj({ name: scalar })),
  hostname: scalar, subdomain: scalar, affinity: any, schedulerName: scalar, tolerations: list(obj({ key: scalar, operator: scalar, value: scalar, effect: scalar, tolerationSeconds: scalar })),
  hostAliases: any, priorityClassName: scalar, priority: scalar, dnsConfig: obj({ nameservers: list(scalar), searches: list(scalar), options: list(obj({ name: scalar, value: scalar })) }),
  readinessGates: any, runtimeClassName: scalar, enableServiceLinks: scalar, preemptionPolicy: scalar, overhead: map,
  topologySpreadConstraints: any, setHostnameAsFQDN: scalar, os: any, hostUsers: scalar, schedulingGates: any, resourceClaims: any, resources: any,
});
const template = obj({ metadata: objectMeta, spec: podSpec });
const intOrPercent = scalar;

const SPECS: Record<string, Record<string, S>> = {
  daemonsets: {
    spec: obj({ selector: labelSelector, template, updateStrategy: obj({ type: scalar, rollingUpdate: obj({ maxUnavailable: intOrPercent, maxSurge: intOrPercent }) }), minReadySeconds: scalar, revisionHistoryLimit: scalar }),
  },
  deployments: {
    spec: obj({ replicas: scalar, selector: labelSelector, template, strategy: obj({ type: scalar, rollingUpdate: obj({ maxUnavailable: intOrPercent, maxSurge: intOrPercent }) }), minReadySeconds: scalar, revisionHistoryLimit: scalar, paused: scalar, progressDeadlineSeconds: scalar }),
  },
  replicasets: { spec: obj({ replicas: scalar, minReadySeconds: scalar, selector: labelSelector, template }) },
  pods: { spec: podSpec },
  services: {
    spec: obj({
      ports: list(obj({ name: scalar, protocol: scalar, appProtocol: scalar, port: scalar, targetPort: scalar, nodePort: scalar })), selector: map, clusterIP: scalar, clusterIPs: list(scalar),
      type: scalar, externalIPs: list(scalar), sessionAffinity: scalar, loadBalancerIP: scalar, loadBalancerSourceRanges: list(scalar), externalName: scalar,
      externalTrafficPolicy: scalar, healthCheckNodePort: scalar, publishNotReadyAddresses: scalar, sessionAffinityConfig: any, ipFamilies: list(scalar),
      ipFamilyPolicy: scalar, allocateLoadBalancerNodePorts: scalar, loadBalancerClass: scalar, internalTrafficPolicy: scalar, trafficDistribution: scalar,
    }),
  },
  configmaps: { data: map, binaryData: map, immutable: scalar },
  serviceaccounts: { secrets: any, imagePullSecrets: any, automountServiceAccountToken: scalar },
  jobs: { spec: obj({ parallelism: scalar, completions: scalar, activeDeadlineSeconds: scalar, podFailurePolicy: any, successPolicy: any, backoffLimit: scalar, backoffLimitPerIndex: scalar, maxFailedIndexes: scalar, selector: labelSelector, manualSelector: scalar, template, ttlSecondsAfterFinished: scalar, completionMode: scalar, suspend: scalar, podReplacementPolicy: scalar, managedBy: scalar }) },
  cronjobs: {
    spec: obj({
      schedule: scalar, timeZone: scalar, startingDeadlineSeconds: scalar, concurrencyPolicy: scalar, suspend: scalar, successfulJobsHistoryLimit: scalar, failedJobsHistoryLimit: scalar,
      jobTemplate: obj({ metadata: objectMeta, spec: any }),
    }),
  },
  poddisruptionbudgets: { spec: obj({ minAvailable: intOrPercent, maxUnavailable: intOrPercent, selector: labelSelector, unhealthyPodEvictionPolicy: scalar }) },
  namespaces: { spec: obj({ finalizers: list(scalar) }) },
};

/** Schema of a whole object of this resource, or undefined when the twin does not check it. */
function schemaFor(r: ResourceDef): Record<string, S> | undefined {
  const spec = SPECS[r.plural];
  if (!spec || r.group === "events.k8s.io") return undefined;
  return { apiVersion: scalar, kind: scalar, metadata: objectMeta, status: any, ...spec };
}

export interface UnknownField {
  /** `spec.template.spec.containers[0].foo` (decoder style, for JSON writes). */
  json: string;
  /** `.spec.template.spec.containers[name="x"].foo` (structured-merge-diff style, for apply). */
  smd: string;
}

/** Find unknown fields; with `prune`, remove them from `o` in place. */
export function unknownFields(r: ResourceDef, o: Obj, prune: boolean): UnknownField[] {
  const schema = schemaFor(r);
  if (!schema) return [];
  const out: UnknownField[] = [];
  const walk = (v: unknown, s: S, json: string, smd: string) => {
    if (s === "any" || s === "map" || s === "scalar" || v === null || v === undefined) return;
    if (Array.isArray(s)) {
      if (!Array.isArray(v)) return;
      v.forEach((item, i) => {
        const key = isObj(item) && typeof item.name === "string" ? `[name="${item.name}"]` : isObj(item) && item.containerPort !== undefined ? `[containerPort=${item.containerPort}]` : isObj(item) && item.port !== undefined ? `[port=${item.port}]` : `[${i}]`;
        walk(item, s[0], `${json}[${i}]`, `${smd}${key}`);
      });
      return;
    }
    if (!isObj(v)) return;
    for (const k of Object.keys(v)) {
      const child = json ? `${json}.${k}` : k;
      if (!(k in s)) {
        out.push({ json: child, smd: `${smd}.${k}` });
        if (prune) delete v[k];
        continue;
      }
      walk(v[k], s[k], child, `${smd}.${k}`);
    }
  };
  walk(o, schema, "", "");
  return out;
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export function parseFieldValidation(v: string | null): FieldValidation | { error: string } {
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  return { error: `fieldValidation must be one of "Ignore", "Warn", or "Strict" (got ${JSON.stringify(v)})` };
}
