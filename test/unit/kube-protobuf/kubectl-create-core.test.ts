// Decoding the protobuf bodies kubectl 1.32 POSTs for `kubectl create namespace|configmap|secret|
// serviceaccount`. The hex bodies are the ones recorded in the issue-4 research notes (§12); the
// base64 bodies were captured by us from kubectl v1.32.4 against a throwaway logging server. Each
// expected object is what `kubectl create … --dry-run=client -o json` printed for the same command,
// i.e. Go's JSON encoding of the very object kubectl encoded as protobuf.
import t from 'tap';
import { decodeKubeProtobuf } from '../../../transport/index.js';

const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const base64 = (...lines: string[]): Uint8Array => Buffer.from(lines.join(''), 'base64');

interface Capture {
  readonly command: string;
  readonly body: Uint8Array;
  readonly expected: Record<string, unknown>;
}

const CAPTURES: readonly Capture[] = [
  {
    command: 'kubectl create namespace team-a',
    body: hex(`6b 38 73 00 0a 0f 0a 02 76 31 12 09 4e 61 6d 65 73 70 61 63 65 12 1e 0a 16 0a 06 74 65 61 6d 2d
      61 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 00 1a 02 0a 00 1a 00 22 00`),
    expected: {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: {},
      status: {},
    },
  },
  {
    command: 'kubectl create configmap cfg --from-literal=a=1',
    body: hex(`6b 38 73 00 0a 0f 0a 02 76 31 12 09 43 6f 6e 66 69 67 4d 61 70 12 1d 0a 13 0a 03 63 66 67 12 00
      1a 00 22 00 2a 00 32 00 38 00 42 00 12 06 0a 01 61 12 01 31 1a 00 22 00`),
    expected: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cfg', creationTimestamp: null }, data: { a: '1' } },
  },
  {
    command: 'kubectl create secret generic s1 --from-literal=p=pw',
    body: hex(`6b 38 73 00 0a 0c 0a 02 76 31 12 06 53 65 63 72 65 74 12 1f 0a 12 0a 02 73 31 12 00 1a 00 22 00
      2a 00 32 00 38 00 42 00 12 07 0a 01 70 12 02 70 77 1a 00 1a 00 22 00`),
    expected: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's1', creationTimestamp: null }, data: { p: 'cHc=' } },
  },
  {
    command: 'kubectl create serviceaccount sa1',
    body: hex(`6b 38 73 00 0a 14 0a 02 76 31 12 0e 53 65 72 76 69 63 65 41 63 63 6f 75 6e 74 12 15 0a 13 0a 03
      73 61 31 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 1a 00 22 00`),
    expected: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa1', creationTimestamp: null } },
  },
  {
    command: 'kubectl create configmap cfg2 -n team-a --from-literal=b=two --from-literal=a=1 --from-file=bin=bin.dat',
    body: base64(
      'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjsKGgoEY2ZnMhIAGgZ0ZWFtLWEiACoAMgA4AEIAEgYKAWESATESCAoBYhIDdHdvGgsK',
      'A2JpbhIEAAH//hoAIgA=',
    ),
    expected: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg2', namespace: 'team-a', creationTimestamp: null },
      data: { a: '1', b: 'two' },
      binaryData: { bin: 'AAH//g==' },
    },
  },
  {
    command: 'kubectl create secret generic s2 --type=kubernetes.io/basic-auth --from-literal=username=u --from-literal=password=p',
    body: base64(
      'azhzAAoMCgJ2MRIGU2VjcmV0EkwKEgoCczISABoAIgAqADIAOABCABINCghwYXNzd29yZBIBcBINCgh1c2VybmFtZRIBdRoY',
      'a3ViZXJuZXRlcy5pby9iYXNpYy1hdXRoGgAiAA==',
    ),
    expected: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's2', creationTimestamp: null },
      data: { password: 'cA==', username: 'dQ==' },
      type: 'kubernetes.io/basic-auth',
    },
  },
  {
    command: 'kubectl create secret docker-registry r --docker-server=x --docker-username=u --docker-password=p',
    body: base64(
      'azhzAAoMCgJ2MRIGU2VjcmV0EocBChEKAXISABoAIgAqADIAOABCABJSChEuZG9ja2VyY29uZmlnanNvbhI9eyJhdXRocyI6',
      'eyJ4Ijp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fRoea3ViZXJuZXRlcy5pby9kb2Nr',
      'ZXJjb25maWdqc29uGgAiAA==',
    ),
    expected: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'r', creationTimestamp: null },
      data: {
        '.dockerconfigjson': 'eyJhdXRocyI6eyJ4Ijp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ==',
      },
      type: 'kubernetes.io/dockerconfigjson',
    },
  },
];

for (const capture of CAPTURES) {
  void t.test(capture.command, (t) => {
    const decoded = decodeKubeProtobuf(capture.body);
    t.equal(decoded.kind, capture.expected.kind);
    t.equal(decoded.apiVersion, capture.expected.apiVersion);
    t.strictSame(decoded.object, capture.expected);
    t.equal(JSON.stringify(decoded.object), JSON.stringify(capture.expected), 'keys in the order kubectl prints them');
    t.strictSame(decoded.unknownFields, []);
    t.end();
  });
}
