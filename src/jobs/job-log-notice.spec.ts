import { jobLogNotices, parseJobLogNotice } from './job-log-notice';

describe('jobLogNotices', () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('writes what JSON.stringify would, with the highest seq of each job', () => {
    const [payload, ...more] = jobLogNotices('tenant_a"b', [
      { jobId: id(1), seq: 2 },
      { jobId: id(2), seq: 1 },
      { jobId: id(1), seq: 5 },
      { jobId: id(1), seq: 3 },
    ]);
    expect(more).toEqual([]);
    expect(payload).toBe(JSON.stringify({ s: 'tenant_a"b', j: { [id(1)]: 5, [id(2)]: 1 } }));
    expect(parseJobLogNotice(payload)).toEqual({ schema: 'tenant_a"b', jobs: new Map([[id(1), 5], [id(2), 1]]) });
  });

  it('sends one payload per 100 jobs, each within PostgreSQL’s 8,000-byte limit, and none for no entries', () => {
    expect(jobLogNotices('tenant_a', [])).toEqual([]);
    const payloads = jobLogNotices('tenant_a', Array.from({ length: 250 }, (_, n) => ({ jobId: id(n), seq: n + 1 })));
    expect(payloads.map((p) => [...parseJobLogNotice(p)!.jobs.keys()].length)).toEqual([100, 100, 50]);
    expect(Math.max(...payloads.map((p) => Buffer.byteLength(p)))).toBeLessThan(8000);
    const all = new Map(payloads.flatMap((p) => [...parseJobLogNotice(p)!.jobs]));
    expect(all).toEqual(new Map(Array.from({ length: 250 }, (_, n) => [id(n), n + 1])));
  });
});
