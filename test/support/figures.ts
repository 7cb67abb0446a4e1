/**
 * Prints the figures a fault test measured (recovery times, counts of 503s...) on one line, so a
 * run's output can be copied into RELIABILITY.md. Figures are reported, never asserted here.
 */
export function reportFigures(test: string, figures: Record<string, number | string | boolean>): void {
  console.info(`[figures] ${test}: ${JSON.stringify(figures)}`);
}
