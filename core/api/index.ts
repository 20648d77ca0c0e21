// Public surface of core/api/: the Kubernetes object model — kinds and their types, the
// resource registry, defaulting, validation, strict decoding, quantities and Status errors.
export type * from './types/index.js';

export {
  API_RESOURCES,
  SUBRESOURCE_KINDS,
  resourceApiVersion,
  formatApiVersion,
  hasStatusSubresource,
  lookupResource,
  lookupResourceByKind,
  lookupResourceByShortName,
  lookupResourceForObject,
  lookupSubresource,
  parseApiVersion,
  qualifiedKindName,
  qualifiedResourceName,
  resolveResourceName,
  resourcesInCategory,
  servedGroupVersions,
  type ApiResourceType,
  type ApiSubresource,
  type GroupVersionKind,
  type NameRule,
} from './registry.js';

export {
  ApiAlreadyExistsError,
  ApiBadRequestError,
  ApiConflictError,
  ApiForbiddenError,
  ApiGenerateNameConflictError,
  ApiGoneError,
  ApiInternalError,
  ApiInvalidError,
  ApiMethodNotAllowedError,
  ApiNotAcceptableError,
  ApiNotFoundError,
  ApiRequestEntityTooLargeError,
  ApiResourceExpiredError,
  ApiServerTimeoutError,
  ApiServiceUnavailableError,
  ApiStatusError,
  ApiTimeoutError,
  ApiTooManyRequestsError,
  ApiUnauthorizedError,
  ApiUnknownError,
  ApiRejectedRequestError,
  ApiUnsupportedMediaTypeError,
  cannotBeHandledError,
  isApiStatusError,
  statusForError,
  strictDecodingMessage,
  type GroupKind,
  type GroupResource,
} from './errors.js';

export {
  GoSyntaxValue,
  aggregateFieldErrors,
  fieldDuplicate,
  fieldForbidden,
  fieldInternalError,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTooMany,
  formatFieldError,
  goStringMap,
  goStringSlice,
  renderBadValue,
  type ApiFieldError,
  type FieldErrorType,
} from './field-errors.js';

export {
  QUANTITY_MAX_DECIMAL_EXPONENT,
  QUANTITY_REGEX_TEXT,
  Quantity,
  QuantityParseError,
  canonicalizeQuantity,
  compareQuantities,
  parseQuantity,
  quantityParseProblem,
  type QuantityFormat,
  type QuantityParseErrorCode,
} from './quantity.js';

export {
  checkObjectSchema,
  decodeWithFieldValidation,
  findUnknownFields,
  schemaForKind,
  type DecodeOrigin,
  type FieldSchema,
  type FieldValidationDirective,
  type ObjectSchema,
  type ScalarKind,
  type SchemaCheckResult,
} from './schema/index.js';

export { applyDefaults, defaultImagePullPolicy, defaultPodSpec, defaultServiceIpFamilies } from './defaults/index.js';

export { validateObjectCreate, validateObjectUpdate, validateStatusUpdate } from './validation/index.js';
export {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDns1035Label,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  type NameValidator,
} from './validation/names.js';
export { TOTAL_ANNOTATION_SIZE_LIMIT_BYTES, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './validation/object-meta.js';
export {
  formatLabelSelector,
  goLabelSelector,
  isEmptyLabelSelector,
  labelSelectorMatches,
  validateLabelSelector,
} from './validation/selector.js';
export { cronScheduleProblem } from './validation/cron.js';
export {
  JOB_CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_JOB_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from './validation/batch.js';
export { POD_UPDATABLE_FIELDS_MESSAGE } from './validation/pod.js';

export {
  GENERATED_NAME_ALPHABET,
  GENERATED_NAME_SUFFIX_LENGTH,
  MAX_GENERATE_NAME_PREFIX_LENGTH,
  ensureObjectNamespace,
  formatRfc3339,
  formatRfc3339Micro,
  generateObjectName,
  getControllerOf,
  hasOwnerReference,
  isBeingDeleted,
  isControlledBy,
  isKubeObject,
  newControllerRef,
  objectKey,
  parseRfc3339,
  removeOwnerReference,
  setOwnerReference,
  splitObjectKey,
  type IntSource,
} from './meta.js';
export {
  RESOURCE_VERSION_SET_ON_CREATE_MESSAGE,
  prepareObjectForCreate,
  prepareObjectForUpdate,
  prepareStatusUpdate,
  type CreateContext,
} from './prepare.js';
export { computePodQosClass, type PodQosClass } from './pod-qos.js';
export { applyPodAdmissionDefaults, DEFAULT_NOT_READY_TOLERATION_SECONDS, DEFAULT_UNREACHABLE_TOLERATION_SECONDS } from './pod-admission.js';
export type { PodAdmissionSettings } from './pod-admission.js';
export { applyScaleToWorkload, scaleOfWorkload } from './scale.js';

/** Structural equality of JSON values (apimachinery's semantic equality for decoded objects). */
export { jsonEqual } from './json.js';
