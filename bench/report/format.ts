/** Numbers as the report prints them: few digits, since the noise is larger than the rest. */

export function integer(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Milliseconds: two decimals below 10, one below 100, none above. */
export function ms(value: number): string {
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return integer(value);
}

export function ratio(value: number | null): string {
  if (value === null) return 'not measured';
  return value >= 100 ? integer(value) : value.toFixed(2);
}

export function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return minutes > 0 ? `${minutes} min ${rest} s` : `${seconds.toFixed(1)} s`;
}

/** A target's spread over the rounds, `min–max`; one round has none. */
export function spread(r: { values: readonly number[]; min: number | null; max: number | null }): string {
  return r.values.length > 1 ? `${ratio(r.min)}–${ratio(r.max)}` : '';
}
