import { compareBytes, LabelRequirement, type SelectorLabels } from './label-requirement.js';

/**
 * A parsed label selector: the AND of its requirements, kept sorted by key (as apimachinery's
 * internalSelector, so `toString()` is canonical). Two special selectors exist: `everything()`
 * (no requirements, matches every object) and `nothing()` (matches no object; what a null
 * LabelSelector field means). Immutable.
 */
export class ParsedLabelSelector {
  private static readonly EVERYTHING = new ParsedLabelSelector([], false);
  private static readonly NOTHING = new ParsedLabelSelector([], true);

  private constructor(
    readonly requirements: readonly LabelRequirement[],
    private readonly selectsNothing: boolean,
  ) {}

  /** The selector that matches every object (an empty selector). */
  static everything(): ParsedLabelSelector {
    return ParsedLabelSelector.EVERYTHING;
  }

  /** The selector that matches no object (labels.Nothing()). */
  static nothing(): ParsedLabelSelector {
    return ParsedLabelSelector.NOTHING;
  }

  /** The AND of `requirements`, sorted by key (stable, so equal keys keep their order). */
  static of(requirements: readonly LabelRequirement[]): ParsedLabelSelector {
    if (requirements.length === 0) return ParsedLabelSelector.EVERYTHING;
    return new ParsedLabelSelector(
      [...requirements].sort((a, b) => compareBytes(a.key, b.key)),
      false,
    );
  }

  /** This selector with more requirements; `nothing()` stays `nothing()`. */
  add(...requirements: LabelRequirement[]): ParsedLabelSelector {
    if (this.selectsNothing) return this;
    return ParsedLabelSelector.of([...this.requirements, ...requirements]);
  }

  matches(labels: SelectorLabels | undefined): boolean {
    if (this.selectsNothing) return false;
    return this.requirements.every((requirement) => requirement.matches(labels));
  }

  /** True when the selector does not restrict the selection (Selector.Empty()); false for `nothing()`. */
  isEmpty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  /** True only for `nothing()` (labels.MatchesNothing). */
  matchesNothing(): boolean {
    return this.selectsNothing;
  }

  /**
   * The value `key` must equal for an object to match (`key=v`, `key==v`, `key in (v)`), or
   * undefined when the selector does not pin it; lets a caller use an index.
   */
  requiresExactMatch(key: string): string | undefined {
    const requirement = this.requirements.find((candidate) => candidate.key === key);
    if (requirement === undefined) return undefined;
    const exact = requirement.operator === '=' || requirement.operator === '==' || requirement.operator === 'in';
    return exact && requirement.values.length === 1 ? requirement.values[0] : undefined;
  }

  /** The canonical form: requirements joined by ',' ('' for both `everything()` and `nothing()`). */
  toString(): string {
    return this.requirements.map((requirement) => requirement.toString()).join(',');
  }
}
