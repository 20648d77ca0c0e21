// The requests the API server answers by asking a kubelet: pods/log, pods/exec (pods/attach is
// refused: the runtime has no attach), and metrics.k8s.io. Plugged into the API handler as its
// extension, so they pass the same authentication and authorization as every request.

import { ApiBadRequestError } from '../../core/index.js';
import type { ApiHandlerExtension } from './api-handler.js';
import { METRICS_API_RESOURCES, serveMetricsApi } from './metrics-api.js';
import type { PodExecContext } from './pod-exec.js';
import { servePodExec } from './pod-exec.js';
import { servePodLog } from './pod-log.js';

export function podKubeletExtension(c: PodExecContext, nowMs: () => number): ApiHandlerExtension {
  return {
    discovery: METRICS_API_RESOURCES,
    serve(req, info) {
      if (info.apiGroup === '' && info.apiVersion === 'v1' && info.resource === 'pods' && info.namespace !== '' && info.name !== '') {
        switch (info.subresource) {
          case 'log':
            return servePodLog(c, info, req.signal, nowMs);
          case 'exec':
            return servePodExec(c, req, info);
          case 'attach':
            return Promise.reject(new ApiBadRequestError('attach is not supported by this cluster\'s container runtime; use exec'));
          default:
            return undefined;
        }
      }
      return serveMetricsApi(c, info, nowMs);
    },
  };
}
