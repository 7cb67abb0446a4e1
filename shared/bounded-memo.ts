/**
 * Remembers the results of a pure function by a string key, and never holds more than `maxEntries`:
 * when full, it forgets everything and starts over. Meant for functions whose inputs in practice
 * come from a small set (a model version's 3,600 applicant codes, the answers cached for them), so
 * the memo fills once and then only answers, while hostile or unusual inputs cannot make it grow
 * past its bound. `undefined` results are not kept. Throws whatever `compute` throws, keeping nothing.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  /** Entries held now: at most maxEntries. */
  get size(): number {
    return this.values.size;
  }

  /** The value remembered for `key`, or what `compute` gives, remembered for next time. */
  get(key: string, compute: () => V): V {
    const known = this.values.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (value === undefined) return value;
    if (this.values.size >= this.maxEntries) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}
