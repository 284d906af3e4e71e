import type { FailureCount } from './auth-failures.repository';
import { FailureCountBatch } from './failure-count-batch';

/** Shared counters in memory: each write adds one per occurrence of a subject, as the SQL statement does. */
function counters(start: Record<string, number> = {}) {
  const counts = new Map(Object.entries(start));
  const writes: string[][] = [];
  let failNext: Error | null = null;
  const write = async (subjects: string[]): Promise<Map<string, FailureCount>> => {
    writes.push(subjects);
    if (failNext) {
      const error = failNext;
      failNext = null;
      throw error;
    }
    for (const subject of subjects) counts.set(subject, (counts.get(subject) ?? 0) + 1);
    return new Map([...new Set(subjects)].map((subject) => [subject, { failures: counts.get(subject)!, retryAfterSeconds: 30 }]));
  };
  return { counts, writes, write, failWith: (error: Error) => (failNext = error) };
}

const failuresOf = (counts: Map<string, FailureCount>) => Object.fromEntries([...counts].map(([subject, count]) => [subject, count.failures]));

describe('FailureCountBatch', () => {
  it('writes failures queued together with one statement and answers each caller as if it had been written alone', async () => {
    const store = counters({ 'key:k': 7 });
    const batch = new FailureCountBatch(store.write, 1000);
    const answers = await Promise.all([
      batch.add(['ip:a', 'key:k']),
      batch.add(['ip:b', 'key:k']),
      batch.add(['ip:a', 'key:k']),
      batch.add(['admin:a']),
    ]);
    expect(store.writes).toEqual([['admin:a', 'ip:a', 'ip:a', 'ip:b', 'key:k', 'key:k', 'key:k']]);
    expect(answers.map(failuresOf)).toEqual([
      { 'ip:a': 1, 'key:k': 8 },
      { 'ip:b': 1, 'key:k': 9 },
      { 'ip:a': 2, 'key:k': 10 },
      { 'admin:a': 1 },
    ]);
    expect(answers[0].get('key:k')!.retryAfterSeconds).toBe(30);
    expect(Object.fromEntries(store.counts)).toEqual({ 'key:k': 10, 'ip:a': 2, 'ip:b': 1, 'admin:a': 1 });
  });

  it('writes the first failure after a quiet spell without waiting for the interval', async () => {
    const store = counters();
    // An interval far longer than the test's timeout: the failure must not wait for it.
    const batch = new FailureCountBatch(store.write, 3_600_000);
    expect(failuresOf(await batch.add(['ip:a']))).toEqual({ 'ip:a': 1 });
    expect(store.writes).toHaveLength(1);
  });

  it('queues failures that come while a write is in flight for the next statement', async () => {
    const store = counters();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writeStarted: Array<() => void> = [];
    const held = async (subjects: string[]) => {
      writeStarted.shift()?.();
      await gate;
      return store.write(subjects);
    };
    const batch = new FailureCountBatch(held, 0);
    const started = new Promise<void>((resolve) => writeStarted.push(resolve));
    const first = batch.add(['ip:a']);
    await started;
    const later = [batch.add(['ip:a']), batch.add(['ip:a'])];
    release();
    const answers = await Promise.all([first, ...later]);
    expect(answers.map(failuresOf)).toEqual([{ 'ip:a': 1 }, { 'ip:a': 2 }, { 'ip:a': 3 }]);
    expect(store.writes).toEqual([['ip:a'], ['ip:a', 'ip:a']]);
  });

  it('rejects every caller of a batch whose write failed, and writes the next batch', async () => {
    const store = counters();
    const batch = new FailureCountBatch(store.write, 0);
    store.failWith(new Error('database unavailable'));
    const failed = [batch.add(['ip:a']), batch.add(['ip:b'])];
    await expect(failed[0]).rejects.toThrow('database unavailable');
    await expect(failed[1]).rejects.toThrow('database unavailable');
    expect(failuresOf(await batch.add(['ip:a']))).toEqual({ 'ip:a': 1 });
  });

  it('drain writes what is queued at once, and waits for it', async () => {
    const store = counters();
    const batch = new FailureCountBatch(store.write, 3_600_000);
    await batch.add(['ip:a']);
    // The interval since that write has not passed: this one waits for drain.
    const queued = batch.add(['ip:a']);
    await batch.drain();
    expect(store.writes).toHaveLength(2);
    expect(failuresOf(await queued)).toEqual({ 'ip:a': 2 });
  });
});
