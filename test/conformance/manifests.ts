/**
 * The manifests the conformance tests apply, written as a user would (YAML, the fields people
 * actually set), parameterised by name and namespace so each case works in its own namespace.
 */

export function namespaceManifest(name: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
`;
}

export interface DeploymentManifestOptions {
  readonly name: string;
  readonly namespace: string;
  readonly replicas?: number;
  readonly image?: string;
  /** Extra lines appended to the container (already indented), e.g. an unknown field. */
  readonly extraContainerLines?: readonly string[];
  /** The app label of the pod template; the selector always uses `name`. */
  readonly templateApp?: string;
}

export function deploymentManifest(o: DeploymentManifestOptions): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
  labels:
    app: ${o.name}
spec:
  replicas: ${o.replicas ?? 2}
  selector:
    matchLabels:
      app: ${o.name}
  template:
    metadata:
      labels:
        app: ${o.templateApp ?? o.name}
    spec:
      containers:
      - name: nginx
        image: ${o.image ?? 'nginx:1.25'}
        ports:
        - containerPort: 80
${(o.extraContainerLines ?? []).map((l) => `${l}\n`).join('')}`;
}

export function podManifest(name: string, namespace: string, labels: Readonly<Record<string, string>>): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
${Object.entries(labels)
  .map(([k, v]) => `    ${k}: "${v}"\n`)
  .join('')}spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
`;
}

export function configMapManifest(name: string, namespace: string, data: Readonly<Record<string, string>>, extraTopLevelLines: readonly string[] = []): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"\n`)
  .join('')}${extraTopLevelLines.map((l) => `${l}\n`).join('')}`;
}

/** A core/v1 Event about an object, as a controller would record it. */
export function eventManifest(o: {
  readonly name: string;
  readonly namespace: string;
  readonly involved: { readonly kind: string; readonly name: string; readonly uid: string; readonly apiVersion: string };
  readonly reason: string;
  readonly message: string;
  readonly timestamp: string;
}): string {
  return `apiVersion: v1
kind: Event
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
involvedObject:
  apiVersion: ${o.involved.apiVersion}
  kind: ${o.involved.kind}
  name: ${o.involved.name}
  namespace: ${o.namespace}
  uid: ${o.involved.uid}
reason: ${o.reason}
message: ${o.message}
type: Normal
count: 1
firstTimestamp: "${o.timestamp}"
lastTimestamp: "${o.timestamp}"
source:
  component: conformance
`;
}
