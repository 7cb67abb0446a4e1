import { describe, expect, it } from 'vitest';
import { summarizeProfile } from '../../bench/profile/cpu-profile.js';

/**
 * A hand-made profile: (root) → handler (our dist/api file) → writeUtf8String (native, no url), and
 * (root) → (idle). Samples land at 1000, 1010, 1030, 1060 µs; each counts until the next one.
 */
const PROFILE = JSON.stringify({
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
    {
      id: 2,
      callFrame: { functionName: 'handler', url: 'file:///x/dist/api/handler.js', lineNumber: 9 },
      children: [3],
    },
    { id: 3, callFrame: { functionName: 'writeUtf8String', url: '', lineNumber: -1 } },
    { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
  ],
  startTime: 0,
  samples: [2, 3, 3, 4],
  timeDeltas: [1000, 10, 20, 30],
});

describe('bench profile summary', () => {
  it('summarizeProfile: samples inside the window -> self time per leaf, native frames charged to their caller by module', () => {
    const summary = summarizeProfile(PROFILE, { fromUs: 1000, toUs: 1030 });

    // Samples at 1000 (handler, 10 µs), 1010 (write, 20 µs), 1030 (write, 30 µs); 1060 is outside.
    expect(summary.samples).toBe(3);
    expect(summary.wholeProfile).toBe(false);
    expect(summary.top).toEqual([
      { name: 'writeUtf8String', selfMs: 0.05, share: 50 / 60 },
      { name: 'handler (dist/api/handler.js:10)', selfMs: 0.01, share: 10 / 60 },
    ]);
    expect(summary.topModules).toEqual([{ name: 'dist/api/handler.js', selfMs: 0.06, share: 1 }]);
    // The handler is on the stack of all three samples; the native write and (root) have no file of a package or ours.
    expect(summary.topInclusive).toEqual([{ name: 'handler (dist/api/handler.js:10)', selfMs: 0.06, share: 1 }]);
  });

  it('summarizeProfile: no sample inside the window -> the whole profile, and it says so', () => {
    const summary = summarizeProfile(PROFILE, { fromUs: 5000, toUs: 6000 });

    expect(summary.wholeProfile).toBe(true);
    expect(summary.samples).toBe(4);
    expect(summary.top.map((t) => t.name)).toContain('(idle)');
    expect(summary.topModules.map((t) => t.name)).toEqual(['dist/api/handler.js', '(idle)']);
  });
});
