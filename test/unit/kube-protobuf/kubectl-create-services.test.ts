// Decoding the protobuf bodies kubectl 1.32 POSTs for `kubectl create service …`, captured by us from
// kubectl v1.32.4 against a throwaway logging server. Each expected object is what the same command
// printed with `--dry-run=client -o json` (Go's JSON encoding of the object kubectl encoded).
import t from 'tap';
import { decodeKubeProtobuf } from '../../../transport/index.js';

const base64 = (...lines: string[]): Uint8Array => Buffer.from(lines.join(''), 'base64');

interface Capture {
  readonly command: string;
  readonly body: Uint8Array;
  readonly expected: Record<string, unknown>;
}

const CAPTURES: readonly Capture[] = [
  {
    command: 'kubectl create service clusterip s --tcp=80:8080',
    body: base64(
      'azhzAAoNCgJ2MRIHU2VydmljZRJjChsKAXMSABoAIgAqADIAOABCAFoICgNhcHASAXMSQAobCgc4MC04MDgwEgNUQ1AYUCIH',
      'CAAQkD8aACgAEggKA2FwcBIBcxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
    ),
    expected: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 's', creationTimestamp: null, labels: { app: 's' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 's' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: 'kubectl create service clusterip headless --clusterip=None --tcp=5678:8080 --tcp=53:dns',
    body: base64(
      'azhzAAoNCgJ2MRIHU2VydmljZRKdAQopCghoZWFkbGVzcxIAGgAiACoAMgA4AEIAWg8KA2FwcBIIaGVhZGxlc3MSbAoeCgk1',
      'Njc4LTgwODASA1RDUBiuLCIHCAAQkD8aACgAChwKBjUzLWRucxIDVENQGDUiCQgBEAAaA2RucygAEg8KA2FwcBIIaGVhZGxl',
      'c3MaBE5vbmUiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA',
    ),
    expected: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'headless', creationTimestamp: null, labels: { app: 'headless' } },
      spec: {
        ports: [
          { name: '5678-8080', protocol: 'TCP', port: 5678, targetPort: 8080 },
          { name: '53-dns', protocol: 'TCP', port: 53, targetPort: 'dns' },
        ],
        selector: { app: 'headless' },
        clusterIP: 'None',
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: 'kubectl create service nodeport np --tcp=80:8080 --node-port=30080',
    body: base64(
      'azhzAAoNCgJ2MRIHU2VydmljZRJnCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJCCh0KBzgwLTgwODASA1RDUBhQ',
      'IgcIABCQPxoAKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=',
    ),
    expected: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'np', creationTimestamp: null, labels: { app: 'np' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
        selector: { app: 'np' },
        type: 'NodePort',
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: 'kubectl create service loadbalancer lb --tcp=443:8443',
    body: base64(
      'azhzAAoNCgJ2MRIHU2VydmljZRJrCh0KAmxiEgAaACIAKgAyADgAQgBaCQoDYXBwEgJsYhJGCh0KCDQ0My04NDQzEgNUQ1AY',
      'uwMiBwgAEPtBGgAoABIJCgNhcHASAmxiGgAiDExvYWRCYWxhbmNlcjoAQgBSAFoAYABoABoCCgAaACIA',
    ),
    expected: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'lb', creationTimestamp: null, labels: { app: 'lb' } },
      spec: {
        ports: [{ name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 }],
        selector: { app: 'lb' },
        type: 'LoadBalancer',
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: 'kubectl create service externalname ex --external-name=example.com',
    body: base64(
      'azhzAAoNCgJ2MRIHU2VydmljZRJXCh0KAmV4EgAaACIAKgAyADgAQgBaCQoDYXBwEgJleBIyEgkKA2FwcBICZXgaACIMRXh0',
      'ZXJuYWxOYW1lOgBCAFILZXhhbXBsZS5jb21aAGAAaAAaAgoAGgAiAA==',
    ),
    expected: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'ex', creationTimestamp: null, labels: { app: 'ex' } },
      spec: { selector: { app: 'ex' }, type: 'ExternalName', externalName: 'example.com' },
      status: { loadBalancer: {} },
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
