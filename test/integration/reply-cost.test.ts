import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../api/gateway.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

/** Misses each gateway sends; one job each (MISS_BATCH_WAIT_MS=0), so one outcome per miss. */
const OWN_MISSES = 24;
const WAVE = 8;

interface ReplyCost {
  messages: number;
  bytes: number;
}

async function replyCost(gateway: Gateway): Promise<ReplyCost> {
  const value = async (counter: Gateway['metrics']['replyMessages']) => (await counter.get()).values[0]?.value ?? 0;
  return { messages: await value(gateway.metrics.replyMessages), bytes: await value(gateway.metrics.replyBytes) };
}

/** `OWN_MISSES` distinct applicants from `first` on, in concurrent waves, each answered 200. */
async function sendMisses(url: string, first: number): Promise<void> {
  for (let wave = 0; wave < OWN_MISSES; wave += WAVE) {
    const responses = await Promise.all(
      Array.from({ length: WAVE }, (_, i) =>
        fetch(`${url}/scores`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(applicantNumber(first + wave + i)),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
  }
}

/**
 * Runs the same per-gateway load on `gateways` gateways of one stack and returns what the first
 * gateway spent learning about answers per own miss, once every job finished and nothing more arrives.
 */
async function costPerOwnMiss(gateways: number): Promise<ReplyCost> {
  stack = await Stack.start({ MISS_BATCH_WAIT_MS: '0' });
  await stack.startWorker();
  const urls = [stack.url];
  for (let i = 1; i < gateways; i++) urls.push((await stack.startPeerGateway()).url);
  const before = await replyCost(stack.gateway);
  await Promise.all(urls.map((url, g) => sendMisses(url, g * OWN_MISSES)));
  await waitUntil('every job to finish', async () => {
    const counts = await stack!.gateway.queue.getJobCounts('completed');
    return counts.completed === gateways * OWN_MISSES;
  });
  // Outcomes of other gateways' jobs may still be on their way to this one: wait until none arrives.
  let last = await replyCost(stack.gateway);
  let quiet = 0;
  await waitUntil('the reply counters to settle', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await replyCost(stack!.gateway);
    quiet = now.messages === last.messages ? quiet + 1 : 0;
    last = now;
    return quiet >= 3;
  });
  return {
    messages: (last.messages - before.messages) / OWN_MISSES,
    bytes: (last.bytes - before.bytes) / OWN_MISSES,
  };
}

let stack: Stack | undefined;

describe('replies: a gateway learns about answers in O(its own misses)', () => {
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('1 vs 3 gateways on one Redis, same per-gateway load: messages and bytes parsed per own miss within 1.3x', async () => {
    const alone = await costPerOwnMiss(1);
    await stack!.stop();
    stack = undefined;
    const amongThree = await costPerOwnMiss(3);

    // One job per miss: at least one outcome per own miss in both runs (the counters count something).
    expect(alone.messages).toBeGreaterThanOrEqual(1);
    expect(amongThree.messages).toBeGreaterThanOrEqual(1);
    const figures = JSON.stringify({ alone, amongThree });
    expect(amongThree.messages / alone.messages, figures).toBeLessThanOrEqual(1.3);
    expect(amongThree.bytes / alone.bytes, figures).toBeLessThanOrEqual(1.3);
  });
});
