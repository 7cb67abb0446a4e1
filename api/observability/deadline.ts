/**
 * `promise`, or a rejection naming `what` once `ms` have passed. The promise itself runs on (a Redis
 * command cannot be taken back); a later rejection of it is absorbed by the race.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
