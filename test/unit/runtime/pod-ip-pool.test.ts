import t from 'tap';
import { defaultPodCidrForNode, InvalidPodCidrError, PodIpPool, PodIpPoolExhaustedError } from '../../../actors/index.js';

void t.test('hands out the lowest free host address, skipping network, gateway and broadcast', (t) => {
  const pool = new PodIpPool('127.64.3.0/30');
  t.equal(pool.allocate(), '127.64.3.2');
  t.throws(() => pool.allocate(), PodIpPoolExhaustedError);
  pool.release('127.64.3.2');
  t.equal(pool.allocate(), '127.64.3.2', 'a released address is reused');
  t.end();
});

void t.test('reserved addresses (re-adopted sandboxes) are not handed out again', (t) => {
  const pool = new PodIpPool('127.64.1.0/24');
  pool.reserve('127.64.1.2');
  pool.reserve('127.64.1.3');
  pool.reserve('10.0.0.1');
  t.equal(pool.allocate(), '127.64.1.4');
  t.end();
});

void t.test('a CIDR base that is not the network address is aligned down', (t) => {
  t.equal(new PodIpPool('127.64.1.77/24').allocate(), '127.64.1.2');
  t.end();
});

void t.test('bad CIDRs are refused', (t) => {
  for (const bad of ['127.64.1.0', '127.64.1.0/8', '127.64.1.0/31', '300.1.1.0/24', 'x/24', '127.64.1/24']) t.throws(() => new PodIpPool(bad), InvalidPodCidrError, bad);
  t.end();
});

void t.test('default pod CIDRs are loopback /24s, stable per node name', (t) => {
  const a = defaultPodCidrForNode('w1');
  t.match(a, /^127\.(1[6-9]|2\d|3[01])\.\d{1,3}\.0\/24$/);
  t.equal(defaultPodCidrForNode('w1'), a);
  t.not(defaultPodCidrForNode('w2'), a);
  t.end();
});
