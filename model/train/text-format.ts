/** An integer with commas between thousands, as the card and plots print counts: 10000 → "10,000". */
export function groupThousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A fraction as a percentage with one decimal: 0.0685 → "6.9 %". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
