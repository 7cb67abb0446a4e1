import { z } from 'zod';

/** The part of V8's .cpuprofile (what `node --cpu-prof` writes) the summary reads. */
const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type CpuProfile = z.infer<typeof CpuProfile>;

/** One function's share of the samples. */
export interface SelfTime {
  /** `name (file:line)`; V8's pseudo-frames as they are: (idle), (program), (garbage collector). */
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  /** Samples in the window and the time they cover. */
  samples: number;
  totalMs: number;
  /** Whole profile counted because no sample fell inside the window (another clock). */
  wholeProfile: boolean;
  top: SelfTime[];
}

/** Frames are named by function and place; the project root and node_modules paths are shortened. */
function frameName({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']): string {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.replace(/^file:\/\//, '');
  // A dependency by its package path, the project's own code by its place under dist/.
  const file = path.includes('/node_modules/')
    ? path.replace(/^.*\/node_modules\//, '')
    : path.replace(/^.*\/dist\//, 'dist/');
  return `${name} (${file}:${lineNumber + 1})`;
}

/**
 * Self time per function from a .cpuprofile: each sample is charged to the leaf frame it caught,
 * for the interval until the next sample. Only samples inside `window` (µs of the monotonic clock
 * V8 stamps profiles with, the one `process.hrtime` reads) count, so start-up and warm-up stay out;
 * when none fall inside it the whole profile is counted and the summary says so.
 */
export function summarizeProfile(text: string, window: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const profile = CpuProfile.parse(JSON.parse(text));
  const names = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
  const tally = (inWindow: (atUs: number) => boolean) => {
    const selfUs = new Map<string, number>();
    let at = profile.startTime;
    let samples = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i] ?? 0;
      const spentUs = profile.timeDeltas[i + 1] ?? 0;
      if (!inWindow(at)) continue;
      const name = names.get(profile.samples[i]!) ?? '(unknown)';
      selfUs.set(name, (selfUs.get(name) ?? 0) + spentUs);
      samples += 1;
    }
    return { selfUs, samples };
  };
  let counted = tally((at) => at >= window.fromUs && at <= window.toUs);
  const wholeProfile = counted.samples === 0;
  if (wholeProfile) counted = tally(() => true);
  const totalUs = [...counted.selfUs.values()].reduce((sum, us) => sum + us, 0);
  return {
    samples: counted.samples,
    totalMs: totalUs / 1000,
    wholeProfile,
    top: [...counted.selfUs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 })),
  };
}
