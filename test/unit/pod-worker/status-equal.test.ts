import t from 'tap';
import type { PodStatus } from '../../../core/index.js';
import { podStatusEqual } from '../../../actors/index.js';

void t.test('a status read back from the API (nulls dropped) equals the one written', (t) => {
  const written: PodStatus = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }],
  };
  const readBack: PodStatus = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  t.ok(podStatusEqual(written, readBack));
  t.ok(podStatusEqual(readBack, written));
  t.notOk(podStatusEqual(written, { ...readBack, phase: 'Pending' }), 'a real change still differs');
  t.notOk(podStatusEqual(written, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] }));
  t.end();
});
