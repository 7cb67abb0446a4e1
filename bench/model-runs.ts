import { httpRequest } from './http.js';

/** What the workers have done so far, summed over them: read from their Prometheus /metrics. */
export interface WorkerCounts {
  /** session.run calls: `scoring_model_batch_size_count`. */
  modelRuns: number;
  /** Applicants those runs scored: `scoring_model_batch_size_sum`. */
  applicants: number;
  jobsCompleted: number;
  jobsFailed: number;
}

const NO_WORK: WorkerCounts = { modelRuns: 0, applicants: 0, jobsCompleted: 0, jobsFailed: 0 };

function sample(text: string, name: string, labels = ''): number {
  const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The counters of one worker's exposition text; a series not yet observed counts as 0. */
function parseWorkerCounts(text: string): WorkerCounts {
  return {
    modelRuns: sample(text, 'scoring_model_batch_size_count'),
    applicants: sample(text, 'scoring_model_batch_size_sum'),
    jobsCompleted: sample(text, 'scoring_jobs_processed_total', '{outcome="completed"}'),
    jobsFailed: sample(text, 'scoring_jobs_processed_total', '{outcome="failed"}'),
  };
}

function addCounts(a: WorkerCounts, b: WorkerCounts): WorkerCounts {
  return {
    modelRuns: a.modelRuns + b.modelRuns,
    applicants: a.applicants + b.applicants,
    jobsCompleted: a.jobsCompleted + b.jobsCompleted,
    jobsFailed: a.jobsFailed + b.jobsFailed,
  };
}

export function subtractCounts(after: WorkerCounts, before: WorkerCounts): WorkerCounts {
  return {
    modelRuns: after.modelRuns - before.modelRuns,
    applicants: after.applicants - before.applicants,
    jobsCompleted: after.jobsCompleted - before.jobsCompleted,
    jobsFailed: after.jobsFailed - before.jobsFailed,
  };
}

/** Reads the workers' /metrics (basic auth, as an operator's scraper does) and sums them. */
export class WorkerMetricsReader {
  private readonly authorization: string;

  constructor(
    private readonly urls: readonly string[],
    credentials: { user: string; password: string },
  ) {
    this.authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  }

  async read(): Promise<WorkerCounts> {
    const texts = await Promise.all(
      this.urls.map(async (url) => {
        const { status, text } = await httpRequest(url, { headers: { authorization: this.authorization } });
        if (status !== 200) throw new Error(`${url} answered ${status}`);
        return text;
      }),
    );
    return texts.map(parseWorkerCounts).reduce(addCounts, NO_WORK);
  }
}
