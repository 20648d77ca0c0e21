// Kubernetes resource quantities (`250m`, `64Mi`, `1.5Gi`, `1e3`, `2k`), parsed and printed as
// apimachinery's resource.Quantity does. A quantity is held exactly as unscaled × 10^scale10;
// binary suffixes multiply by powers of two, so every parsed value has that form.

/** How a quantity is printed: `1Ki`-style, `1k`-style, or `1e3`-style. */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export const QUANTITY_REGEX_TEXT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** Why a quantity string was rejected; messages are apimachinery's. */
export type QuantityParseErrorCode = 'FormatWrong' | 'Numeric' | 'Suffix';

const PARSE_MESSAGES: Record<QuantityParseErrorCode, string> = {
  FormatWrong: `quantities must match the regular expression '${QUANTITY_REGEX_TEXT}'`,
  Numeric: 'unable to parse numeric part of quantity',
  Suffix: "unable to parse quantity's suffix",
};

/** Thrown by parseQuantity when a string is not a Kubernetes quantity. */
export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  constructor(
    readonly code: QuantityParseErrorCode,
    readonly input: string,
  ) {
    super(PARSE_MESSAGES[code]);
  }
}

/**
 * Decimal exponents beyond this are refused as unparseable: exact arithmetic on them would need
 * numbers with that many digits. (Kubernetes accepts them; nothing real comes near.)
 */
export const QUANTITY_MAX_DECIMAL_EXPONENT = 1000;

/** The smallest quantity step: values are rounded up (away from zero) to nano units on parse. */
const NANO_SCALE = -9;

/** BinarySI quantities are capped at the largest int64, as apimachinery does. */
const MAX_BINARY_VALUE = 2n ** 63n - 1n;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL_SUFFIX_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** `value / 10^digits`, rounded away from zero. */
function divideRoundingAway(value: bigint, digits: number): bigint {
  const divisor = pow10(digits);
  const quotient = abs(value) / divisor;
  const rounded = abs(value) % divisor === 0n ? quotient : quotient + 1n;
  return value < 0n ? -rounded : rounded;
}

interface SplitQuantity {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
  readonly suffix: string;
}

/** Splits `[+-]digits[.digits]suffix` the way apimachinery's parseQuantityString scans. */
function splitQuantity(text: string): SplitQuantity | undefined {
  let pos = 0;
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    pos++;
  }
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  const integerStart = pos;
  while (isDigit(text[pos])) pos++;
  const integer = text.slice(integerStart, pos);
  let fraction = '';
  if (text[pos] === '.') {
    pos++;
    const fractionStart = pos;
    while (isDigit(text[pos])) pos++;
    fraction = text.slice(fractionStart, pos);
  }
  const suffixStart = pos;
  while (pos < text.length && 'eEinumkKMGTP'.includes(text[pos] ?? '')) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  while (isDigit(text[pos])) pos++;
  if (pos < text.length) return undefined;
  return { negative, integer, fraction, suffix: text.slice(suffixStart) };
}

interface SuffixMeaning {
  readonly format: QuantityFormat;
  readonly base: 2 | 10;
  readonly exponent: number;
}

function interpretSuffix(suffix: string): SuffixMeaning | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { format: 'DecimalSI', base: 10, exponent: decimal };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { format: 'BinarySI', base: 2, exponent: binary };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    return { format: 'DecimalExponent', base: 10, exponent: Number.parseInt(suffix.slice(1), 10) };
  }
  return undefined;
}

/** An exact Kubernetes quantity. Immutable. */
export class Quantity {
  /** Invariant: the value is unscaled × 10^scale10, and scale10 >= -9 (nano precision). */
  private constructor(
    readonly unscaled: bigint,
    readonly scale10: number,
    readonly format: QuantityFormat,
  ) {}

  /** Parses a quantity string; throws QuantityParseError with Kubernetes' message when invalid. */
  static parse(text: string): Quantity {
    if (text.length === 0) throw new QuantityParseError('FormatWrong', text);
    const parts = splitQuantity(text);
    if (parts === undefined) throw new QuantityParseError('FormatWrong', text);
    const meaning = interpretSuffix(parts.suffix);
    if (meaning === undefined) throw new QuantityParseError('Suffix', text);
    if (Math.abs(meaning.exponent) > QUANTITY_MAX_DECIMAL_EXPONENT) throw new QuantityParseError('Numeric', text);
    let unscaled = BigInt((parts.integer || '0') + parts.fraction);
    let scale10 = -parts.fraction.length;
    let format = meaning.format;
    if (meaning.base === 10) {
      scale10 += meaning.exponent;
    } else {
      unscaled *= 2n ** BigInt(meaning.exponent);
    }
    if (scale10 < NANO_SCALE) {
      unscaled = divideRoundingAway(unscaled, NANO_SCALE - scale10);
      scale10 = NANO_SCALE;
    }
    if (format === 'BinarySI') {
      if (scale10 >= 0 && unscaled * pow10(scale10) > MAX_BINARY_VALUE) {
        unscaled = MAX_BINARY_VALUE;
        scale10 = 0;
      }
      if (unscaled !== 0n && new Quantity(unscaled, scale10, format).cmp(Quantity.fromBigInt(1n)) < 0) {
        format = 'DecimalSI';
      }
    }
    if (parts.negative) unscaled = -unscaled;
    return new Quantity(unscaled, scale10, format);
  }

  /** An integer quantity, printed DecimalSI. */
  static fromBigInt(value: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(value, 0, format);
  }

  /** `milli / 1000`, printed DecimalSI (e.g. 250 → `250m`). */
  static fromMilli(milli: bigint): Quantity {
    return new Quantity(milli, -3, 'DecimalSI');
  }

  sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const scale = Math.min(this.scale10, other.scale10);
    const a = this.unscaled * pow10(this.scale10 - scale);
    const b = other.unscaled * pow10(other.scale10 - scale);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  add(other: Quantity): Quantity {
    const scale = Math.min(this.scale10, other.scale10);
    const sum = this.unscaled * pow10(this.scale10 - scale) + other.unscaled * pow10(other.scale10 - scale);
    return new Quantity(sum, scale, this.format);
  }

  /** ceil(value / 10^scale): e.g. scaledValue(-3) is the milli-value, as apimachinery's ScaledValue. */
  scaledValue(scale: number): bigint {
    const shift = this.scale10 - scale;
    if (shift >= 0) return this.unscaled * pow10(shift);
    const divisor = pow10(-shift);
    const quotient = this.unscaled / divisor;
    return this.unscaled > 0n && this.unscaled % divisor !== 0n ? quotient + 1n : quotient;
  }

  /** The value in thousandths, rounded up (CPU in millicores). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** The value as an integer, rounded up (memory in bytes). */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** An approximate float, for display and arithmetic that tolerates rounding. */
  toNumber(): number {
    return Number(this.unscaled) * 10 ** this.scale10;
  }

  /**
   * This quantity with at most `-scale` decimal places, rounded away from zero, as apimachinery's
   * RoundUp (used to round resource lists to milli precision).
   */
  roundUp(scale: number): Quantity {
    if (this.scale10 >= scale) return this;
    return new Quantity(divideRoundingAway(this.unscaled, scale - this.scale10), scale, this.format);
  }

  /** The canonical string, as Quantity.String() in Kubernetes (`1.5Gi` → `1536Mi`, `0.5` → `500m`). */
  toString(): string {
    if (this.unscaled === 0n) return '0';
    let unscaled = this.unscaled;
    let exponent = this.scale10;
    while (unscaled % 10n === 0n) {
      unscaled /= 10n;
      exponent++;
    }
    let format = this.format;
    if (format === 'BinarySI') {
      const tooSmall = this.cmp(Quantity.fromBigInt(-1024n)) > 0 && this.cmp(Quantity.fromBigInt(1024n)) < 0;
      if (tooSmall || exponent < 0) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let integer = unscaled * pow10(exponent);
      let power = 0;
      while (power < BINARY_SUFFIX_BY_POWER.length - 1 && integer % 1024n === 0n) {
        integer /= 1024n;
        power++;
      }
      return `${integer}${BINARY_SUFFIX_BY_POWER[power] ?? ''}`;
    }
    while (exponent % 3 !== 0) {
      unscaled *= 10n;
      exponent--;
    }
    if (format === 'DecimalExponent') return exponent === 0 ? `${unscaled}` : `${unscaled}e${exponent}`;
    const maxExponent = 18;
    if (exponent > maxExponent) {
      unscaled *= pow10(exponent - maxExponent);
      exponent = maxExponent;
    }
    return `${unscaled}${DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) ?? ''}`;
  }

  /** Quantities serialize to JSON as their canonical string. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Parses a quantity given as a JSON value: a string, or a bare number (which Kubernetes also
 * accepts, e.g. `cpu: 1` in YAML). Throws QuantityParseError.
 */
export function parseQuantity(value: string | number): Quantity {
  return Quantity.parse(typeof value === 'number' ? String(value) : value);
}

/** The canonical form of a quantity string or number (`'0.5'` → `'500m'`). Throws QuantityParseError. */
export function canonicalizeQuantity(value: string | number): string {
  return parseQuantity(value).toString();
}

/** -1, 0 or 1 comparing two quantity strings. Throws QuantityParseError. */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  return parseQuantity(a).cmp(parseQuantity(b));
}

/** The parse error message for a quantity value, or undefined when it parses. */
export function quantityParseProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return PARSE_MESSAGES.FormatWrong;
  try {
    parseQuantity(value);
    return undefined;
  } catch (error) {
    if (error instanceof QuantityParseError) return error.message;
    throw error;
  }
}
