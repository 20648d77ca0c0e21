// Probe and lifecycle-handler validation (validateHandler, validateProbe and the rules for
// liveness, readiness and startup probes).
import { childPath, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type ApiFieldError } from '../field-errors.js';
import type { Container, LifecycleHandler, Probe } from '../types/container.js';
import { validatePortNumOrName } from './container.js';
import { isValidPortNum } from './names.js';
import { validateNonnegativeField } from './object-meta.js';

/** Exactly one handler (exec, httpGet, tcpSocket, grpc, sleep) with valid content. */
function validateHandler(handler: LifecycleHandler & { grpc?: Probe['grpc'] }, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  let handlers = 0;
  const claim = (key: string): boolean => {
    if (handlers > 0) {
      errors.push(fieldForbidden(childPath(path, key), 'may not specify more than 1 handler type'));
      return false;
    }
    handlers++;
    return true;
  };
  if (handler.exec != null && claim('exec')) {
    if ((handler.exec.command ?? []).length === 0) errors.push(fieldRequired(childPath(path, 'exec', 'command')));
  }
  if (handler.httpGet != null && claim('httpGet')) {
    const action = handler.httpGet;
    const actionPath = childPath(path, 'httpGet');
    if ((action.path ?? '') === '') errors.push(fieldRequired(childPath(actionPath, 'path')));
    errors.push(...validatePortNumOrName(action.port, childPath(actionPath, 'port')));
    if (action.scheme != null && !['HTTP', 'HTTPS'].includes(action.scheme)) {
      errors.push(fieldNotSupported(childPath(actionPath, 'scheme'), action.scheme, ['HTTP', 'HTTPS']));
    }
  }
  if (handler.tcpSocket != null && claim('tcpSocket')) {
    errors.push(...validatePortNumOrName(handler.tcpSocket.port, childPath(path, 'tcpSocket', 'port')));
  }
  if (handler.grpc != null && claim('grpc')) {
    for (const message of isValidPortNum(handler.grpc.port ?? 0)) {
      errors.push(fieldInvalid(childPath(path, 'grpc', 'port'), handler.grpc.port ?? 0, message));
    }
  }
  if (handler.sleep != null && claim('sleep')) {
    if ((handler.sleep.seconds ?? 0) <= 0) {
      errors.push(fieldInvalid(childPath(path, 'sleep', 'seconds'), handler.sleep.seconds ?? 0, 'must be greater than 0'));
    }
  }
  if (handlers === 0) errors.push(fieldRequired(path, 'must specify a handler type'));
  return errors;
}

function validateProbe(probe: Probe | undefined, path: string, successThresholdMustBeOne: boolean): ApiFieldError[] {
  if (probe == null) return [];
  const errors = validateHandler(probe, path);
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errors.push(...validateNonnegativeField(probe[key], childPath(path, key)));
  }
  if (probe.terminationGracePeriodSeconds != null && probe.terminationGracePeriodSeconds <= 0) {
    errors.push(fieldInvalid(childPath(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (successThresholdMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errors.push(fieldInvalid(childPath(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return errors;
}

/** Probes and lifecycle hooks: allowed on regular containers and on sidecar (restartPolicy Always) init containers. */
export function validateProbesAndLifecycle(container: Container, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  if (container.lifecycle != null) {
    if (container.lifecycle.postStart != null) errors.push(...validateHandler(container.lifecycle.postStart, childPath(path, 'lifecycle', 'postStart')));
    if (container.lifecycle.preStop != null) errors.push(...validateHandler(container.lifecycle.preStop, childPath(path, 'lifecycle', 'preStop')));
  }
  errors.push(...validateProbe(container.livenessProbe, childPath(path, 'livenessProbe'), true));
  errors.push(...validateProbe(container.readinessProbe, childPath(path, 'readinessProbe'), false));
  errors.push(...validateProbe(container.startupProbe, childPath(path, 'startupProbe'), true));
  return errors;
}
