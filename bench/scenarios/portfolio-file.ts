/** The CSV columns a portfolio names besides `id` (the Applicant fields). */
export const CSV_HEADER_FIELDS = [
  'installment_rate_in_percentage_of_disposable_income',
  'age_in_years',
  'foreign_worker',
  'present_employment_since',
  'personal_status_and_sex',
] as const;

/** One portfolio, end to end. */
export interface PortfolioRun {
  label: 'cold' | 'warm';
  rows: number;
  /** Seconds until the 202 (the whole file received and stored). */
  uploadS: number;
  /** ...until the status said completed. */
  scoredS: number;
  /** ...until the last result line was read. */
  totalS: number;
  rowsPerS: number;
  /** Peak VmRSS of the gateway during the run, less its VmRSS before. */
  gatewayRssGrowthMb: number;
  /** ...of which by the end of the upload. */
  uploadRssGrowthMb: number;
  /** MEMORY USAGE of the portfolio's keys right after the 202, per row. */
  redisBytesPerWaitingRow: number;
  /** ...and once its answers are stored too. */
  redisBytesPerFinishedRow: number;
}

export interface PortfolioResult {
  cold: PortfolioRun;
  warm: PortfolioRun;
  targets: { coldRowsPerS: number; warmRowsPerS: number; rssGrowthMb: number };
}
