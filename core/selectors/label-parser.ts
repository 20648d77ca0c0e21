import { scanLabelSelector, type LabelToken, type ScannedLabelToken } from './label-lexer.js';
import {
  compareBytes,
  LABEL_BINARY_OPERATORS_TEXT,
  LabelRequirement,
  labelRequirementErrors,
  type LabelSelectionOperator,
} from './label-requirement.js';
import { ParsedLabelSelector } from './label-selector.js';
import { qualifiedNameErrors } from './label-syntax.js';
import {
  aggregateSelectorFieldErrors,
  NIL_FIELD_PATH,
  formatSelectorFieldError,
  selectorFieldInvalid,
} from './selector-field-error.js';

/**
 * Thrown by `parseLabelSelector` for text that is not a valid label selector. The message is
 * labels.Parse's own (e.g. `unable to parse requirement: found '', expected: '('`), which
 * kube-apiserver returns verbatim in a 400 BadRequest Status.
 */
export class LabelSelectorParseError extends Error {
  override readonly name = 'LabelSelectorParseError';

  constructor(
    readonly selector: string,
    message: string,
  ) {
    super(message);
  }
}

/** A syntax error of the whole selector, with labels.Parse's message. */
class SelectorSyntaxError extends Error {}

/** An error inside one requirement; `parse` prefixes it with "unable to parse requirement: ". */
class RequirementSyntaxError extends Error {}

/** Whether tokens are read as keys/operators or as values (where `in`/`notin` are identifiers). */
type ParserContext = 'keyAndOperator' | 'values';

class LabelSelectorParser {
  private position = 0;

  constructor(private readonly items: readonly ScannedLabelToken[]) {}

  private tokenAt(index: number, context: ParserContext): ScannedLabelToken {
    // Invariant: the last item is 'end' and the parser never consumes past it.
    const item = this.items[Math.min(index, this.items.length - 1)] ?? { token: 'end', literal: '' };
    if (context === 'values' && (item.token === 'in' || item.token === 'notIn')) {
      return { token: 'identifier', literal: item.literal };
    }
    return item;
  }

  private lookahead(context: ParserContext): ScannedLabelToken {
    return this.tokenAt(this.position, context);
  }

  private consume(context: ParserContext): ScannedLabelToken {
    const item = this.tokenAt(this.position, context);
    this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead('values');
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== 'doesNotExist') {
        throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof RequirementSyntaxError) {
          throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
        }
        throw err;
      }
      const next = this.consume('values');
      if (next.token === 'end') return requirements;
      if (next.token !== 'comma') {
        throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or 'end of string'`);
      }
      const afterComma = this.lookahead('values');
      if (afterComma.token !== 'identifier' && afterComma.token !== 'doesNotExist') {
        throw new SelectorSyntaxError(`found '${afterComma.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator: inferred } = this.parseKeyAndInferOperator();
    if (inferred !== undefined) return this.build(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): values deduplicated and sorted.
    return this.build(key, operator, [...new Set(values)].sort(compareBytes));
  }

  private build(key: string, operator: LabelSelectionOperator, values: string[]): LabelRequirement {
    const errors = labelRequirementErrors(key, operator, values);
    if (errors.length > 0) throw new RequirementSyntaxError(aggregateSelectorFieldErrors(errors));
    return new LabelRequirement(key, operator, values);
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelSelectionOperator | undefined } {
    let operator: LabelSelectionOperator | undefined;
    let item = this.consume('values');
    if (item.token === 'doesNotExist') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.token !== 'identifier') throw new RequirementSyntaxError(`found '${item.literal}', expected: identifier`);
    const keyErrors = qualifiedNameErrors(item.literal);
    if (keyErrors.length > 0) {
      // labels.Parse validates the key against a nil field.Path, which prints as "<nil>".
      const error = selectorFieldInvalid(NIL_FIELD_PATH, item.literal, keyErrors.join('; '));
      throw new RequirementSyntaxError(formatSelectorFieldError(error));
    }
    const next = this.lookahead('values').token;
    if ((next === 'end' || next === 'comma') && operator === undefined) operator = 'exists';
    return { key: item.literal, operator };
  }

  private parseOperator(): LabelSelectionOperator {
    const { token, literal } = this.consume('keyAndOperator');
    const operators: Partial<Record<LabelToken, LabelSelectionOperator>> = {
      in: 'in',
      equals: '=',
      doubleEquals: '==',
      greaterThan: 'gt',
      lessThan: 'lt',
      notIn: 'notin',
      notEquals: '!=',
    };
    const operator = operators[token];
    if (operator === undefined) {
      throw new RequirementSyntaxError(`found '${literal}', expected: ${LABEL_BINARY_OPERATORS_TEXT}`);
    }
    return operator;
  }

  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.token !== 'openPar') throw new RequirementSyntaxError(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.lookahead('values');
    if (token === 'identifier' || token === 'comma') {
      const values = this.parseIdentifiersList();
      if (this.consume('values').token !== 'closePar') {
        throw new RequirementSyntaxError(`found '${literal}', expected: ')'`);
      }
      return values;
    }
    if (token === 'closePar') {
      this.consume('values');
      return [''];
    }
    throw new RequirementSyntaxError(`found '${literal}', expected: ',', ')' or identifier`);
  }

  /** A comma-separated list whose empty entries (`(a,,b)`, `(,a)`) stand for the empty value. */
  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { token, literal } = this.consume('values');
      if (token === 'identifier') {
        values.push(literal);
        const next = this.lookahead('values');
        if (next.token === 'comma') continue;
        if (next.token === 'closePar') return values;
        throw new RequirementSyntaxError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token === 'comma') {
        if (values.length === 0) values.push('');
        const next = this.lookahead('values').token;
        if (next === 'closePar') {
          values.push('');
          return values;
        }
        if (next === 'comma') {
          this.consume('values');
          values.push('');
        }
        continue;
      }
      throw new RequirementSyntaxError(`found '${literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead('values').token;
    if (next === 'end' || next === 'comma') return [''];
    const { token, literal } = this.consume('values');
    if (token === 'identifier') return [literal];
    throw new RequirementSyntaxError(`found '${literal}', expected: identifier`);
  }
}

/**
 * Parses the label selector syntax of labels.Parse:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<2`, joined by commas
 * (logical AND), with whitespace allowed around tokens. '' is the empty selector (everything).
 * Throws LabelSelectorParseError with Kubernetes' message.
 */
export function parseLabelSelector(selector: string): ParsedLabelSelector {
  const parser = new LabelSelectorParser(scanLabelSelector(selector));
  try {
    return ParsedLabelSelector.of(parser.parse());
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new LabelSelectorParseError(selector, err.message);
    throw err;
  }
}
