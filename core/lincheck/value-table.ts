import { canonicalJson } from './canonical-json.js';

/** The id of `null`, which is also every key's initial value. */
export const NULL_VALUE_ID = 0;

/**
 * Interns one key's JSON values as small integers, so that register states compare with `===`
 * and hash cheaply. Deeply equal values get the same id; ids are dense from 0.
 */
export class ValueTable {
  private readonly ids = new Map<string, number>([['null', NULL_VALUE_ID]]);

  intern(value: unknown): number {
    const encoded = canonicalJson(value);
    let id = this.ids.get(encoded);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(encoded, id);
    }
    return id;
  }
}
