// Static pods: manifests become pods named <name>-<node> run by pod workers with `static`,
// mirrored into the API (annotations, owner Node); a deleted mirror comes back; a removed file
// stops the pod and deletes its mirror; an edited file is a new pod.
import t from 'tap';
import type { Node, Pod } from '../../../core/index.js';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION, InMemoryStaticPodSource, kubeletActor, NODES, PODS, staticPodFromManifest, StaticPodManifestError, StaticPodSet } from '../../../actors/index.js';
import { kubeletHarness, mutableProbe, recordingPodWorker, settle, until } from './fakes.js';

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: kube-system
spec:
  containers:
    - name: c
      image: flotilla/sleep
`;

void t.test('a manifest becomes a static pod of this node', (t) => {
  const pod = staticPodFromManifest({ path: '/m/web.yaml', content: MANIFEST }, 'n1');
  t.equal(pod.metadata?.name, 'web-n1');
  t.equal(pod.metadata?.namespace, 'kube-system');
  t.equal(pod.spec?.nodeName, 'n1');
  t.equal(pod.metadata?.annotations?.['kubernetes.io/config.source'], 'file');
  t.equal(pod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION], pod.metadata?.uid, 'the uid is the config hash');
  t.equal(pod.spec?.restartPolicy, 'Always', 'defaulted');
  const other = staticPodFromManifest({ path: '/m/web.yaml', content: MANIFEST.replace('sleep', 'echo') }, 'n1');
  t.not(other.metadata?.uid, pod.metadata?.uid, 'new content, new uid');
  t.equal(staticPodFromManifest({ path: '/m/web.yaml', content: MANIFEST }, 'n1').metadata?.uid, pod.metadata?.uid, 'stable for the same content');
  t.throws(() => staticPodFromManifest({ path: '/m/x.yaml', content: 'kind: Service\nmetadata: {name: s}' }, 'n1'), StaticPodManifestError);
  t.throws(() => staticPodFromManifest({ path: '/m/x.yaml', content: 'metadata: {name: s}\nspec: {}' }, 'n1'), StaticPodManifestError);
  t.end();
});

void t.test('the static pod set reports additions, edits and removals', (t) => {
  const set = new StaticPodSet('n1');
  const first = set.update([{ path: 'a.yaml', content: MANIFEST }]);
  t.equal(first.added.length, 1);
  t.same(set.update([{ path: 'a.yaml', content: MANIFEST }]), { added: [], removed: [], problems: [] }, 'unchanged');
  const broken = set.update([{ path: 'a.yaml', content: '{' }]);
  t.equal(broken.removed.length, 0, 'a file that stops parsing keeps its pod');
  t.equal(broken.problems.length, 1);
  const dup = set.update([{ path: 'a.yaml', content: MANIFEST }, { path: 'b.yaml', content: MANIFEST }]);
  t.equal(dup.problems.length, 1, 'a second manifest of the same pod is refused');
  const edit = set.update([{ path: 'a.yaml', content: MANIFEST.replace('sleep', 'echo') }]);
  t.equal(edit.added.length, 1);
  t.equal(edit.removed.length, 1);
  t.same(set.update([]).removed.map((p) => p.metadata?.name), ['web-n1']);
  t.end();
});

void t.test('static pods run and are mirrored into the API; a deleted mirror is recreated', async (t) => {
  const h = kubeletHarness(t);
  const source = new InMemoryStaticPodSource();
  source.files.set('/m/web.yaml', MANIFEST);
  h.system.spawn(
    kubeletActor({ nodeName: 'n1', nodeIP: '10.0.0.1', client: h.client, runtime: h.runtime, pods: h.pods, probe: mutableProbe().probe, rootDir: '/r', podWorker: recordingPodWorker(h.log), staticPods: source, staticPodCheckIntervalMs: 1_000 }),
    'kubelet',
  );
  const uid = staticPodFromManifest({ path: '/m/web.yaml', content: MANIFEST }, 'n1').metadata!.uid!;
  await until('static sync', () => h.log.entries.includes(`${uid} sync static`));
  const getMirror = (): Promise<Pod | undefined> => h.client.get<Pod>({ ...PODS, namespace: 'kube-system', name: 'web-n1' }).catch(() => undefined);
  await until('mirror created', async () => (await getMirror()) !== undefined);
  const node = await h.client.get<Node>({ ...NODES, name: 'n1' });
  const mirror = (await getMirror())!;
  t.equal(mirror.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION], uid, 'mirror annotation carries the config hash');
  t.same(mirror.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata?.uid, controller: true }]);
  t.not(mirror.metadata?.uid, uid, 'the mirror is its own API object');
  t.notOk(h.log.entries.includes(`${mirror.metadata?.uid ?? ''} sync`), 'the mirror is not run as a pod of its own');

  await h.client.delete({ ...PODS, namespace: 'kube-system', name: 'web-n1' });
  await until('mirror recreated', async () => {
    const again = await getMirror();
    return again !== undefined && again.metadata?.uid !== mirror.metadata?.uid;
  });
  t.pass('a deleted mirror comes back');

  source.files.delete('/m/web.yaml');
  await settle();
  h.clock.advance(1_000);
  await until('static pod removed', () => h.log.entries.includes(`${uid} remove`));
  await until('mirror deleted', async () => (await getMirror()) === undefined);
  t.pass('removing the file stops the pod and deletes its mirror');
});
