import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../shared/bounded-memo.js';

describe('BoundedMemo: remembers results, never more than its bound', () => {
  it('a key asked twice is computed once and answers the same value', () => {
    const memo = new BoundedMemo<object>(10);
    let calls = 0;
    const compute = () => ({ call: ++calls });
    const first = memo.get('a', compute);
    expect(memo.get('a', compute)).toBe(first);
    expect(calls).toBe(1);
  });

  it('10,000 distinct keys through a memo of 100: it never holds more than 100, and still answers each right', () => {
    const memo = new BoundedMemo<string>(100);
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      expect(memo.get(`key-${i}`, () => `value-${i}`)).toBe(`value-${i}`);
      largest = Math.max(largest, memo.size);
    }
    expect(largest).toBe(100);
  });

  it('undefined results and throws are not remembered: the next ask computes again', () => {
    const memo = new BoundedMemo<string | undefined>(10);
    let calls = 0;
    expect(memo.get('none', () => (calls++, undefined))).toBeUndefined();
    expect(memo.get('none', () => (calls++, undefined))).toBeUndefined();
    expect(calls).toBe(2);
    expect(() =>
      memo.get('bad', () => {
        throw new RangeError('no');
      }),
    ).toThrow(RangeError);
    expect(memo.get('bad', () => 'fine')).toBe('fine');
    expect(memo.size).toBe(1);
  });

  it('a bound that is not a positive integer is refused', () => {
    expect(() => new BoundedMemo(0)).toThrow(RangeError);
    expect(() => new BoundedMemo(1.5)).toThrow(RangeError);
  });
});
