import t from 'tap';
import {
  checkContainerLogAvailable,
  decodeClientFrame,
  encodeChannelFrame,
  errorChannelFrame,
  execExitStatus,
  formatCpuNanoCores,
  formatMemoryBytes,
  negotiateExecProtocol,
  parsePodExecQuery,
  parsePodLogQuery,
  resolvePodContainer,
} from '../../../actors/index.js';
import { ApiBadRequestError, ApiInvalidError } from '../../../core/index.js';
import { decodeExecInput, decodeExecOutput, encodeExecInput, encodeExecOutput, KubeletWireFormatError } from '../../../transport/index.js';

void t.test('channel frames: one channel byte, then the data', (t) => {
  t.same([...encodeChannelFrame(1, 'hi')], [1, 104, 105]);
  t.same(decodeClientFrame(Buffer.from([0, 120]), 'v5.channel.k8s.io'), { type: 'stdin', data: Buffer.from('x') });
  t.same(decodeClientFrame(Buffer.from([4, ...Buffer.from('{"Width":80,"Height":24}')]), 'v4.channel.k8s.io'), { type: 'resize', width: 80, height: 24 });
  t.same(decodeClientFrame(Buffer.from([4, ...Buffer.from('nope')]), 'v5.channel.k8s.io'), { type: 'ignored', channel: 4 });
  t.same(decodeClientFrame(Buffer.from([255, 0]), 'v5.channel.k8s.io'), { type: 'close', channel: 0 }, 'v5 closes a stream');
  t.same(decodeClientFrame(Buffer.from([255, 0]), 'v4.channel.k8s.io'), { type: 'ignored', channel: 255 }, 'v4 has no close frame');
  t.end();
});

void t.test('protocol negotiation prefers v5, accepts v4 and v1, refuses others', (t) => {
  t.equal(negotiateExecProtocol(new Set(['v4.channel.k8s.io', 'v5.channel.k8s.io'])), 'v5.channel.k8s.io');
  t.equal(negotiateExecProtocol(new Set(['v4.channel.k8s.io'])), 'v4.channel.k8s.io');
  t.equal(negotiateExecProtocol(new Set()), 'channel.k8s.io');
  t.equal(negotiateExecProtocol(new Set(['base64.channel.k8s.io'])), undefined);
  t.end();
});

void t.test('the error channel: Success, NonZeroExitCode with the code, v1 plain text', (t) => {
  t.same(execExitStatus(0, ['true']), { metadata: {}, status: 'Success' });
  const failed = execExitStatus(3, ['sh', '-c', 'exit 3']);
  t.match(failed, { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  const v5 = errorChannelFrame(failed, 'v5.channel.k8s.io')!;
  t.equal(v5[0], 3);
  t.same(JSON.parse(v5.subarray(1).toString()), failed);
  t.equal(errorChannelFrame(execExitStatus(0, ['x']), 'channel.k8s.io'), undefined, 'v1 sends nothing on success');
  t.equal(errorChannelFrame(failed, 'channel.k8s.io')!.subarray(1).toString(), String(failed.message));
  t.end();
});

void t.test('PodLogOptions: parsing and kube validation', (t) => {
  t.same(parsePodLogQuery(new URLSearchParams('container=a&follow=true&tailLines=5&limitBytes=10&timestamps=1'), 'p'), { container: 'a', follow: true, previous: false, timestamps: true, tailLines: 5, limitBytes: 10 });
  t.same(parsePodLogQuery(new URLSearchParams('sinceTime=2025-01-01T00:00:00Z'), 'p').sinceTimeMs, Date.UTC(2025, 0, 1));
  t.throws(() => parsePodLogQuery(new URLSearchParams('tailLines=x'), 'p'), ApiBadRequestError);
  t.throws(() => parsePodLogQuery(new URLSearchParams('follow=yes'), 'p'), ApiBadRequestError);
  t.throws(() => parsePodLogQuery(new URLSearchParams('sinceTime=yesterday'), 'p'), ApiBadRequestError);
  const invalid = (q: string): string => {
    try {
      parsePodLogQuery(new URLSearchParams(q), 'p');
    } catch (err) {
      if (err instanceof ApiInvalidError) return err.message;
      throw err;
    }
    return 'accepted';
  };
  t.equal(invalid('tailLines=-1'), 'PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
  t.equal(invalid('limitBytes=0'), 'PodLogOptions "p" is invalid: limitBytes: Invalid value: 0: must be greater than 0');
  t.match(invalid('sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z'), /at most one of `sinceTime` or `sinceSeconds` may be specified/);
  t.end();
});

void t.test('the container a request means, and whether it has a log yet', (t) => {
  const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init' }] } };
  t.throws(() => resolvePodContainer(pod, ''), { message: 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]' });
  t.equal(resolvePodContainer({ metadata: { name: 'q' }, spec: { containers: [{ name: 'only' }] } }, ''), 'only');
  t.equal(resolvePodContainer(pod, 'init'), 'init');
  t.throws(() => resolvePodContainer(pod, 'zzz'), { message: 'container zzz is not valid for pod p' });
  t.throws(() => checkContainerLogAvailable(pod, 'p', 'a', false), { message: 'container "a" in pod "p" is waiting to start: ContainerCreating' });
  const pulling = { ...pod, status: { containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } }] } };
  t.throws(() => checkContainerLogAvailable(pulling, 'p', 'a', false), { message: 'container "a" in pod "p" is waiting to start: ImagePullBackOff' });
  t.throws(() => checkContainerLogAvailable(pulling, 'p', 'a', true), { message: 'previous terminated container "a" in pod "p" not found' });
  const crashing = { ...pod, status: { containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } }] } };
  t.doesNotThrow(() => checkContainerLogAvailable(crashing, 'p', 'a', false), 'a crash-looping container still has its last log');
  t.doesNotThrow(() => checkContainerLogAvailable(crashing, 'p', 'a', true));
  t.end();
});

void t.test('PodExecOptions need a command and a stream', (t) => {
  t.same(parsePodExecQuery(new URLSearchParams('command=echo&command=hi&stdout=true&container=c')), { container: 'c', command: ['echo', 'hi'], stdin: false, stdout: true, stderr: false, tty: false });
  t.throws(() => parsePodExecQuery(new URLSearchParams('stdout=true')), { message: 'you must specify at least 1 command' });
  t.throws(() => parsePodExecQuery(new URLSearchParams('command=ls')), { message: 'you must specify at least 1 of stdin, stdout, stderr' });
  t.end();
});

void t.test('metrics quantities as metrics-server writes them', (t) => {
  t.equal(formatCpuNanoCores(0), '0');
  t.equal(formatCpuNanoCores(12_000_000), '12m');
  t.equal(formatCpuNanoCores(1_234_567), '1234567n');
  t.equal(formatMemoryBytes(12 * 1024), '12Ki');
  t.equal(formatMemoryBytes(3 * 1024 * 1024), '3Mi');
  t.equal(formatMemoryBytes(1000), '1000');
  t.end();
});

void t.test('kubelet exec wire: round trips and refusals', (t) => {
  const open = { namespace: 'n', pod: 'p', container: 'c', command: ['ls', '-l'], stdin: true, stdout: true, stderr: false, tty: false };
  t.same(decodeExecInput(encodeExecInput({ type: 'open', open })), { type: 'open', open });
  t.same(decodeExecInput(encodeExecInput({ type: 'resize', width: 1, height: 2 })), { type: 'resize', width: 1, height: 2 });
  t.same(decodeExecOutput(encodeExecOutput({ type: 'exit', exitCode: 7 })), { type: 'exit', exitCode: 7 });
  t.same(Buffer.from((decodeExecOutput(encodeExecOutput({ type: 'stdout', data: Buffer.from('x') })) as { data: Uint8Array }).data).toString(), 'x');
  t.throws(() => decodeExecInput(Buffer.from([0xc1])), KubeletWireFormatError);
  t.throws(() => decodeExecInput(encodeExecOutput({ type: 'exit', exitCode: 1 }).subarray(0, 1)), KubeletWireFormatError);
  t.end();
});
