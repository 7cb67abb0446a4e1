import { DISTINCT_APPLICANTS } from '../applicants.js';

/**
 * Which applicants the soak has sent, and when: the warm set (hit over and over) and a cycle through
 * every other applicant (misses). Knowing when each was last sent bounds what Redis may hold: an
 * answer or a claim written for it lives one TTL from a moment after it was sent.
 */
export class ApplicantTraffic {
  private readonly lastSentMs = new Float64Array(DISTINCT_APPLICANTS).fill(-Infinity);
  private nextFresh: number;
  private nextWarm = 0;

  constructor(readonly warmSet: number) {
    if (warmSet <= 0 || warmSet >= DISTINCT_APPLICANTS) throw new RangeError(`bad warm set ${warmSet}`);
    this.nextFresh = warmSet;
  }

  /** The next applicant outside the warm set; after the last one the cycle starts again (long expired by then). */
  fresh(): number {
    const n = this.nextFresh;
    this.nextFresh = n + 1 < DISTINCT_APPLICANTS ? n + 1 : this.warmSet;
    this.lastSentMs[n] = performance.now();
    return n;
  }

  /** The next applicant of the warm set, round and round. */
  warm(): number {
    const n = this.nextWarm;
    this.nextWarm = (n + 1) % this.warmSet;
    this.lastSentMs[n] = performance.now();
    return n;
  }

  /** The hit stream sends the whole warm set every fraction of a second, as fixed bodies it does not report. */
  warmSetSentNow(): void {
    this.lastSentMs.fill(performance.now(), 0, this.warmSet);
  }

  /** Distinct applicants sent at or after `sinceMs` (performance.now() time). */
  sentSince(sinceMs: number): number {
    let count = 0;
    for (const at of this.lastSentMs) if (at >= sinceMs) count += 1;
    return count;
  }
}
