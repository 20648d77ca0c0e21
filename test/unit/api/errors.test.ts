import t from 'tap';
import {
  ApiAlreadyExistsError,
  ApiBadRequestError,
  ApiConflictError,
  ApiForbiddenError,
  ApiInternalError,
  ApiInvalidError,
  ApiMethodNotAllowedError,
  ApiNotAcceptableError,
  ApiNotFoundError,
  ApiRequestEntityTooLargeError,
  ApiResourceExpiredError,
  ApiServiceUnavailableError,
  ApiStatusError,
  ApiTimeoutError,
  ApiTooManyRequestsError,
  ApiUnauthorizedError,
  ApiUnknownError,
  ApiUnsupportedMediaTypeError,
  cannotBeHandledError,
  fieldInvalid,
  fieldRequired,
  statusForError,
  strictDecodingMessage,
} from '../../../core/index.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

void t.test('NotFound is 404 with the group-qualified resource and details', (t) => {
  t.same(new ApiNotFoundError(pods, 'x').toStatus(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "x" not found',
    reason: 'NotFound',
    details: { name: 'x', kind: 'pods' },
    code: 404,
  });
  const status = new ApiNotFoundError(deployments, 'web').toStatus();
  t.equal(status.message, 'deployments.apps "web" not found');
  t.same(status.details, { name: 'web', group: 'apps', kind: 'deployments' });
  t.same(Object.keys(status), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'], 'field order as Kubernetes');
  t.end();
});

void t.test('AlreadyExists and Conflict are 409 with Kubernetes wording', (t) => {
  const exists = new ApiAlreadyExistsError(pods, 'x').toStatus();
  t.equal(exists.code, 409);
  t.equal(exists.reason, 'AlreadyExists');
  t.equal(exists.message, 'pods "x" already exists');
  const conflict = new ApiConflictError(pods, 'x').toStatus();
  t.equal(conflict.code, 409);
  t.equal(conflict.reason, 'Conflict');
  t.equal(
    conflict.message,
    'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again',
  );
  t.end();
});

void t.test('Invalid is 422 with one cause per field error', (t) => {
  const error = new ApiInvalidError({ group: '', kind: 'Pod' }, 'x', [fieldRequired('spec.containers[0].image')]);
  t.same(error.toStatus(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Pod "x" is invalid: spec.containers[0].image: Required value',
    reason: 'Invalid',
    details: { name: 'x', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }] },
    code: 422,
  });
  const several = new ApiInvalidError({ group: 'apps', kind: 'Deployment' }, 'web', [
    fieldRequired('spec.selector'),
    fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0'),
    fieldRequired('spec.selector'),
  ]);
  t.equal(
    several.message,
    'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
    'aggregated in brackets, duplicates dropped',
  );
  t.equal(several.toStatus().details?.causes?.length, 3, 'causes keep every error');
  t.equal(several.toStatus().details?.group, 'apps');
  t.end();
});

void t.test('Expired, Gone-like and the other codes', (t) => {
  const expired = ApiResourceExpiredError.tooOldResourceVersion(5, 10).toStatus();
  t.same([expired.code, expired.reason, expired.message], [410, 'Expired', 'too old resource version: 5 (10)']);
  const table: [ApiStatusError, number, string, string][] = [
    [new ApiBadRequestError('bad'), 400, 'BadRequest', 'bad'],
    [new ApiUnauthorizedError(), 401, 'Unauthorized', 'not authorized'],
    [new ApiForbiddenError(pods, 'x', 'no'), 403, 'Forbidden', 'pods "x" is forbidden: no'],
    [new ApiForbiddenError(pods, '', 'no'), 403, 'Forbidden', 'pods is forbidden: no'],
    [new ApiMethodNotAllowedError({ group: '', resource: 'namespaces' }, 'deletecollection'), 405, 'MethodNotAllowed', 'deletecollection is not supported on resources of kind "namespaces"'],
    [new ApiNotAcceptableError(['application/json', 'application/yaml']), 406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml'],
    [new ApiRequestEntityTooLargeError('limit is 3145728'), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'],
    [
      new ApiUnsupportedMediaTypeError(['application/json']),
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json',
    ],
    [new ApiTooManyRequestsError('slow down', 1), 429, 'TooManyRequests', 'slow down'],
    [new ApiInternalError('boom'), 500, 'InternalError', 'Internal error occurred: boom'],
    [new ApiServiceUnavailableError('no leader'), 503, 'ServiceUnavailable', 'no leader'],
    [new ApiTimeoutError('request did not complete within 60s', 0), 504, 'Timeout', 'Timeout: request did not complete within 60s'],
  ];
  for (const [error, code, reason, message] of table) {
    const status = error.toStatus();
    t.same([status.code, status.reason, status.message], [code, reason, message], reason);
  }
  t.same(new ApiTooManyRequestsError('slow down', 1).toStatus().details, { retryAfterSeconds: 1 });
  t.same(new ApiInternalError('boom').toStatus().details, { causes: [{ message: 'boom' }] });
  t.notOk('details' in new ApiBadRequestError('bad').toStatus(), 'no empty details');
  t.end();
});

void t.test('errors that are not Statuses become reasonless 500s', (t) => {
  const status = statusForError(new Error('resourceVersion should not be set on objects to be created'));
  t.equal(status.code, 500);
  t.notOk('reason' in status);
  t.equal(status.message, 'resourceVersion should not be set on objects to be created');
  t.equal(new ApiUnknownError(500, 'x').toStatus().reason, undefined);
  t.equal(statusForError(new ApiNotFoundError(pods, 'y')).code, 404);
  t.end();
});

void t.test('decode errors read as kube-apiserver writes them', (t) => {
  const error = cannotBeHandledError('Deployment', 'v1', strictDecodingMessage(['spec.foo', 'spec.template.spec.containers[0].bar']));
  t.ok(error instanceof ApiBadRequestError);
  t.equal(
    error.message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"',
  );
  t.end();
});
