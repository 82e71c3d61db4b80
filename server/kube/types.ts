/**
 * The Kubernetes models dnsdeck reads, as client-node types them. Type-only: the rest of server/ names these types
 * through the door instead of importing the client library.
 */
export type { V1ControllerRevision, V1CronJob, V1DaemonSet, V1Deployment, V1Job, V1JobSpec, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
