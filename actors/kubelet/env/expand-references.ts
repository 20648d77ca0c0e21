// `$(VAR)` references in env values, command, args and subPathExpr, expanded as Kubernetes does
// (third_party/forked/golang/expansion): `$$` is a literal `$`, a reference to an unknown name
// stays as written, and a `$` that starts no reference is kept as is.

/**
 * Expands `$(NAME)` in `input` with `lookup(NAME)`; when lookup returns undefined the reference
 * is left literally (`$(NAME)`). `$$(NAME)` yields `$(NAME)` unexpanded.
 */
export function expandEnvReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const char = input[i] ?? '';
    if (char !== '$' || i + 1 >= input.length) {
      out += char;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // An unterminated reference is copied through; scanning resumes after `$(`.
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next ?? ''}`;
      i += 2;
    }
  }
  return out;
}

/** A lookup over resolved variables; later entries with the same name win. */
export function envLookup(vars: readonly { readonly name: string; readonly value: string }[]): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const v of vars) byName.set(v.name, v.value);
  return (name) => byName.get(name);
}
