// Which objects a list or watch selects: namespace, label selector and field selector, as
// kube-apiserver applies them. Used by the in-memory client.

import type { ParsedFieldSelector, ParsedLabelSelector } from '../selectors/index.js';
import { FieldSelectorParseError, LabelSelectorParseError, parseFieldSelector, parseLabelSelector, selectableFieldsOf } from '../selectors/index.js';
import { resourceBadRequestError } from './errors.js';
import type { GroupVersionResource, ResourceObject } from './object.js';

export interface ObjectFilterOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export class ResourceObjectFilter {
  private constructor(
    private readonly resource: GroupVersionResource,
    private readonly namespace: string,
    private readonly labels: ParsedLabelSelector | undefined,
    private readonly fields: ParsedFieldSelector | undefined,
  ) {}

  /** Parses the selectors; throws a 400 BadRequest ResourceApiError for malformed ones. */
  static of(resource: GroupVersionResource, options: ObjectFilterOptions): ResourceObjectFilter {
    let labels: ParsedLabelSelector | undefined;
    let fields: ParsedFieldSelector | undefined;
    try {
      if (options.labelSelector !== undefined && options.labelSelector !== '') labels = parseLabelSelector(options.labelSelector);
      if (options.fieldSelector !== undefined && options.fieldSelector !== '') fields = parseFieldSelector(options.fieldSelector);
    } catch (err) {
      if (err instanceof LabelSelectorParseError || err instanceof FieldSelectorParseError) throw resourceBadRequestError(err.message);
      throw err;
    }
    return new ResourceObjectFilter(resource, options.namespace ?? '', labels?.isEmpty() === true ? undefined : labels, fields?.isEmpty() === true ? undefined : fields);
  }

  /** True when the filter selects every object of the resource. */
  get selectsAll(): boolean {
    return this.namespace === '' && this.labels === undefined && this.fields === undefined;
  }

  matches(object: ResourceObject): boolean {
    const namespace = object.metadata?.namespace ?? '';
    if (this.namespace !== '' && namespace !== this.namespace) return false;
    if (this.labels !== undefined && !this.labels.matches(object.metadata?.labels)) return false;
    if (this.fields !== undefined) {
      const selectable = selectableFieldsOf(this.resource.group, object.kind ?? '', object, namespace !== '');
      if (!this.fields.matches(selectable)) return false;
    }
    return true;
  }
}
