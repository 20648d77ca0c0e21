import t from 'tap';
import {
  aggregateFieldErrors,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTooMany,
  formatFieldError,
  goStringMap,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  nameIsDnsSubdomain,
  validateLabels,
  validateObjectMeta,
} from '../../../core/index.js';

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

void t.test('DNS names', (t) => {
  t.same(isDns1123Subdomain('example.com'), []);
  t.same(isDns1123Subdomain('Foo_Bar'), [SUBDOMAIN_MESSAGE]);
  t.same(isDns1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  t.same(isDns1123Label('my-name'), []);
  t.same(isDns1123Label('my.name'), ['must not contain dots']);
  t.same(isDns1123Label('-x'), [LABEL_MESSAGE]);
  t.same(isDns1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  t.same(isDns1035Label('1abc'), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  t.same(nameIsDnsSubdomain('web-', true), [], 'a generateName may end with a dash');
  t.end();
});

void t.test('qualified names and label values', (t) => {
  t.same(isQualifiedName('app.kubernetes.io/name'), []);
  t.same(isQualifiedName('Name'), []);
  t.same(isQualifiedName('/name'), ['prefix part must be non-empty']);
  t.same(isQualifiedName('a/b/c'), [
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]);
  t.same(isQualifiedName('-bad'), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  t.same(isValidLabelValue(''), []);
  t.same(isValidLabelValue('bad value'), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  t.same(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  t.same(isValidPortName('http'), []);
  t.same(isValidPortName('HTTP--x'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must not contain consecutive hyphens']);
  t.same(isConfigMapKey('..x'), ["must not start with '..'"]);
  t.end();
});

void t.test('field errors render like apimachinery', (t) => {
  t.equal(formatFieldError(fieldRequired('spec.containers')), 'spec.containers: Required value');
  t.equal(formatFieldError(fieldRequired('metadata.name', 'name or generateName is required')), 'metadata.name: Required value: name or generateName is required');
  t.equal(formatFieldError(fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0')), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  t.equal(fieldInvalid('x', null, 'd').message, 'Invalid value: null: d');
  t.equal(
    fieldNotSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']).message,
    'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  );
  t.equal(fieldDuplicate('spec.containers[1].name', 'web').message, 'Duplicate value: "web"');
  t.equal(fieldForbidden('spec', 'nope').message, 'Forbidden: nope');
  t.equal(fieldTooLong('metadata.annotations', 262144).message, 'Too long: may not be more than 262144 bytes');
  t.equal(fieldTooMany('endpoints', 1001, 1000).message, 'Too many: 1001: must have at most 1000 items');
  t.equal(fieldInvalid('spec.template.metadata.labels', goStringMap({ b: '2', a: '1' }), 'x').message, 'Invalid value: map[string]string{"a":"1", "b":"2"}: x');
  t.equal(fieldRequired('a').type, 'FieldValueRequired');
  t.equal(aggregateFieldErrors([]), '');
  t.end();
});

void t.test('labels, annotations and metadata', (t) => {
  const labelErrors = validateLabels({ 'bad key!': 'ok', good: 'bad value' }, 'metadata.labels');
  t.same(
    labelErrors.map((error) => [error.field, error.type, error.badValue]),
    [
      ['metadata.labels', 'FieldValueInvalid', 'bad key!'],
      ['metadata.labels', 'FieldValueInvalid', 'bad value'],
    ],
  );
  const rules = { namespaced: true, nameValidator: nameIsDnsSubdomain };
  const missing = validateObjectMeta({ namespace: 'default' }, rules);
  t.same(missing.map(formatFieldError), ['metadata.name: Required value: name or generateName is required']);
  const noNamespace = validateObjectMeta({ name: 'x' }, rules);
  t.same(noNamespace.map(formatFieldError), ['metadata.namespace: Required value']);
  const clusterScoped = validateObjectMeta({ name: 'x', namespace: 'default' }, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  t.same(clusterScoped.map(formatFieldError), ['metadata.namespace: Forbidden: not allowed on this type']);
  const big = validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { a: 'x'.repeat(256 * 1024) } }, rules);
  t.same(big.map(formatFieldError), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  const finalizers = validateObjectMeta({ name: 'x', namespace: 'ns', finalizers: ['example.com/ok', 'custom'] }, rules);
  t.same(finalizers.map(formatFieldError), [
    'metadata.finalizers[1]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  const owners = validateObjectMeta(
    {
      name: 'x',
      namespace: 'ns',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '', controller: true },
      ],
    },
    rules,
  );
  t.same(
    owners.map((error) => [error.field, error.detail]),
    [
      ['metadata.ownerReferences.uid', 'must not be empty'],
      ['metadata.ownerReferences', 'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'],
    ],
  );
  t.end();
});
