/**
 * A CSV reader with the rules of Go's encoding/csv as kube-apiserver configures it for the tokens
 * file: comma-separated, any number of fields per record, no comment lines, no trimming; empty
 * lines are skipped; a field that starts with `"` is quoted (`""` is a literal quote, and it may
 * span lines); a `"` inside an unquoted field is an error. One deviation: a leading UTF-8 byte
 * order mark is dropped instead of becoming part of the first field.
 */

export interface CsvRecord {
  readonly fields: readonly string[];
  /** 1-based line where the record starts. */
  readonly line: number;
}

export type CsvReadResult =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly line: number; readonly reason: string };

export function readCsvRecords(input: string): CsvReadResult {
  const text = (input.startsWith('\uFEFF') ? input.slice(1) : input).replace(/\r\n/g, '\n');
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n') {
      line++;
      i++;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const fieldLine = line;
        let value = '';
        i++;
        for (;;) {
          // An unterminated quote is reported where it opened: that is where the mistake is.
          if (i >= text.length) return { ok: false, line: fieldLine, reason: 'extraneous or missing " in quoted-field' };
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        fields.push(value);
        if (i < text.length && text[i] !== ',' && text[i] !== '\n') {
          return { ok: false, line, reason: 'extraneous or missing " in quoted-field' };
        }
      } else {
        let end = i;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
        const value = text.slice(i, end);
        if (value.includes('"')) return { ok: false, line, reason: 'bare " in non-quoted-field' };
        fields.push(value);
        i = end;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      break; // at '\n' or end of input
    }
    records.push({ fields, line: startLine });
  }
  return { ok: true, records };
}

/** One CSV field, quoted when Go's csv.Writer would quote it. */
export function formatCsvField(value: string): string {
  const needsQuotes = /[",\r\n]/.test(value) || /^\s/.test(value);
  return needsQuotes ? `"${value.replace(/"/g, '""')}"` : value;
}
