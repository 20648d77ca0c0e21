// Cron schedule syntax as CronJobs accept it (the standard 5-field parser Kubernetes uses,
// robfig/cron v3), with that parser's error messages.

interface FieldBounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: readonly FieldBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DAY_NAMES },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

class CronSyntaxError extends Error {}

function parseInteger(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new CronSyntaxError(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number.parseInt(text, 10);
  if (value < 0) throw new CronSyntaxError(`negative number (${value}) not allowed: ${text}`);
  return value;
}

function parseIntOrName(text: string, bounds: FieldBounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  return named ?? parseInteger(text);
}

function checkRange(expression: string, bounds: FieldBounds): void {
  const rangeAndStep = expression.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    start = parseIntOrName(lowAndHigh[0] ?? '', bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1] ?? '', bounds);
    else throw new CronSyntaxError(`too many hyphens: ${expression}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInteger(rangeAndStep[1] ?? '');
    if (lowAndHigh.length === 1) end = bounds.max;
  } else if (rangeAndStep.length > 2) {
    throw new CronSyntaxError(`too many slashes: ${expression}`);
  }
  if (start < bounds.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${bounds.min}): ${expression}`);
  if (end > bounds.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${bounds.max}): ${expression}`);
  if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expression}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expression}`);
}

const GO_DURATION_RE = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Why a schedule does not parse (the parser's message), or undefined when it is valid. */
export function cronScheduleProblem(schedule: string): string | undefined {
  let spec = schedule.trim();
  const tz = /^(CRON_TZ|TZ)=(\S*)\s+/.exec(spec);
  if (tz !== null) spec = spec.slice(tz[0].length);
  try {
    if (spec.startsWith('@')) {
      if (spec.startsWith('@every ')) {
        const duration = spec.slice('@every '.length);
        if (!GO_DURATION_RE.test(duration)) {
          throw new CronSyntaxError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(duration)}`);
        }
        return undefined;
      }
      if (!DESCRIPTORS.has(spec)) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
      return undefined;
    }
    const fields = spec.split(/\s+/).filter((field) => field !== '');
    if (fields.length !== FIELDS.length) {
      throw new CronSyntaxError(`expected exactly ${FIELDS.length} fields, found ${fields.length}: [${fields.join(' ')}]`);
    }
    fields.forEach((field, index) => {
      const bounds = FIELDS[index];
      if (bounds === undefined) return;
      for (const expression of field.split(',')) checkRange(expression, bounds);
    });
    return undefined;
  } catch (error) {
    if (error instanceof CronSyntaxError) return error.message;
    throw error;
  }
}
