import { z } from 'zod';

/** The part of V8's .cpuprofile (what `node --cpu-prof` writes) the summary reads. */
const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type CallFrame = z.infer<typeof CpuProfile>['nodes'][number]['callFrame'];

/** One function's (or module's) share of the samples. */
export interface SelfTime {
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
  /** By function at the top of the stack: `name (file:line)`, V8's pseudo-frames as they are ((idle), (program), (garbage collector)). */
  top: SelfTime[];
  /**
   * By module: each sample charged to the nearest frame of a package or of the project's own code
   * (so a socket write counts for pino, ioredis or the HTTP answer, whoever made it). Samples with
   * no such frame count under V8's pseudo-frames ((idle), (program), (garbage collector)) or as Node's own.
   */
  topModules: SelfTime[];
  /**
   * By function anywhere on the stack (inclusive time: the function and everything it called), for
   * the frames of a package or of the project's own code; a function on the stack twice counts once.
   * `selfMs` holds the inclusive time here. What a step of a request costs, whoever did the work.
   */
  topInclusive: SelfTime[];
}

/** A dependency by its package name, the project's own code by its file under dist/, undefined for Node's own. */
function moduleOf(url: string): string | undefined {
  const path = url.replace(/^file:\/\//, '');
  if (path.includes('/node_modules/')) {
    const [first, second] = path.replace(/^.*\/node_modules\//, '').split('/');
    return first?.startsWith('@') ? `${first}/${second}` : first;
  }
  return path.includes('/dist/') ? path.replace(/^.*\/dist\//, 'dist/') : undefined;
}

/** Frames are named by function and place; the project root and node_modules paths are shortened. */
function frameName({ functionName, url, lineNumber }: CallFrame): string {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.replace(/^file:\/\//, '');
  // A dependency by its package path, the project's own code by its place under dist/.
  const file = path.includes('/node_modules/')
    ? path.replace(/^.*\/node_modules\//, '')
    : path.replace(/^.*\/dist\//, 'dist/');
  return `${name} (${file}:${lineNumber + 1})`;
}

function ranked(tally: Map<string, number>, totalUs: number, top: number): SelfTime[] {
  return [...tally]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
}

/**
 * Self time per function and per module from a .cpuprofile: each sample is charged to the leaf
 * frame it caught, for the interval until the next sample. Only samples inside `window` (µs of the
 * monotonic clock V8 stamps profiles with, the one `process.hrtime` reads) count, so start-up and
 * warm-up stay out; when none fall inside it the whole profile is counted and the summary says so.
 */
export function summarizeProfile(text: string, window: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const profile = CpuProfile.parse(JSON.parse(text));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owner = new Map<number, string | undefined>();
  const moduleFor = (id: number): string | undefined => {
    if (owner.has(id)) return owner.get(id);
    const frame = nodes.get(id)?.callFrame;
    const parent = parents.get(id);
    const found = (frame && moduleOf(frame.url)) ?? (parent !== undefined ? moduleFor(parent) : undefined);
    owner.set(id, found);
    return found;
  };
  const tally = (inWindow: (atUs: number) => boolean) => {
    const selfUs = new Map<string, number>();
    const moduleUs = new Map<string, number>();
    const inclusiveUs = new Map<string, number>();
    let at = profile.startTime;
    let samples = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i] ?? 0;
      const spentUs = profile.timeDeltas[i + 1] ?? 0;
      if (!inWindow(at)) continue;
      const id = profile.samples[i]!;
      const frame = nodes.get(id)?.callFrame;
      const name = frame ? frameName(frame) : '(unknown)';
      selfUs.set(name, (selfUs.get(name) ?? 0) + spentUs);
      // No package or own frame on the stack: V8's pseudo-frames by name, the rest is Node's own work.
      const module = moduleFor(id) ?? (frame && !frame.url ? name : 'node (no package frame on the stack)');
      moduleUs.set(module, (moduleUs.get(module) ?? 0) + spentUs);
      const onStack = new Set<string>();
      for (let up: number | undefined = id; up !== undefined; up = parents.get(up)) {
        const upFrame = nodes.get(up)?.callFrame;
        if (upFrame && moduleOf(upFrame.url)) onStack.add(frameName(upFrame));
      }
      for (const onStackName of onStack) inclusiveUs.set(onStackName, (inclusiveUs.get(onStackName) ?? 0) + spentUs);
      samples += 1;
    }
    return { selfUs, moduleUs, inclusiveUs, samples };
  };
  let counted = tally((at) => at >= window.fromUs && at <= window.toUs);
  const wholeProfile = counted.samples === 0;
  if (wholeProfile) counted = tally(() => true);
  const totalUs = [...counted.selfUs.values()].reduce((sum, us) => sum + us, 0);
  return {
    samples: counted.samples,
    totalMs: totalUs / 1000,
    wholeProfile,
    top: ranked(counted.selfUs, totalUs, top),
    topModules: ranked(counted.moduleUs, totalUs, top),
    topInclusive: ranked(counted.inclusiveUs, totalUs, top),
  };
}
