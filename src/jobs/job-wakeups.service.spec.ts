import type { TenantEventsService } from '../tenancy/registry/tenant-events.service';
import { JOBS_CHANNEL, JobWakeupsService, WaitEnd } from './job-wakeups.service';

const cleanups: AbortController[] = [];
afterEach(() => cleanups.splice(0).forEach((controller) => controller.abort()));

/** The service on a fake LISTEN connection: `notify` delivers a payload as the connection would. */
function setup() {
  let handler!: (payload: string) => void;
  const events = { onChannel: (channel: string, h: (payload: string) => void) => channel === JOBS_CHANNEL && (handler = h), subscribe: () => undefined };
  const wakeups = new JobWakeupsService(events as unknown as TenantEventsService);
  const notify = (due: object) => handler(JSON.stringify({ tenant: 't1', type: 'a', in: 0, ...due }));
  const end = new AbortController(); // ends the waits left at the end of the test
  cleanups.push(end);
  const never = end.signal;
  /** A waiting claim; `ended` is what its wait resolved with, once it has. */
  const wait = (limit = 1, types: string[] | undefined = ['a'], seconds = 30) => {
    const waiter = { ended: undefined as WaitEnd | undefined };
    void wakeups.enter('t1', types, limit).wait(seconds, never).then((end) => (waiter.ended = end));
    return waiter;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  return { wakeups, notify, wait, settle };
}

describe('JobWakeupsService', () => {
  it('wakes the oldest waiters whose limits cover the jobs announced, not every waiter', async () => {
    const { wakeups, notify, wait, settle } = setup();
    const [first, second, third] = [wait(), wait(), wait()];
    notify({ n: 2 });
    await settle();
    expect([first.ended, second.ended, third.ended]).toEqual([{ woken: 'a' }, { woken: 'a' }, undefined]);
    expect(wakeups.waitingCount).toBe(1);
  });

  it('counts a batch claim for its limit, and skips waiters woken already or of other types', async () => {
    const { notify, wait, settle } = setup();
    const other = wait(1, ['b']);
    const batch = wait(10, undefined);
    const single = wait();
    notify({ n: 3 });
    notify({ n: 1 }); // same tick: the batch claim, woken already, is not counted again
    await settle();
    expect([other.ended, batch.ended, single.ended]).toEqual([undefined, { woken: 'a' }, { woken: 'a' }]);
  });

  it('passes a wake-up on to the next waiter, and wakes every waiter without a count (an older sender)', async () => {
    const { wakeups, notify, wait, settle } = setup();
    const [first, second, third] = [wait(), wait(), wait()];
    notify({ n: 1 });
    await settle();
    wakeups.passOn('t1', 'a');
    await settle();
    expect([first.ended, second.ended, third.ended]).toEqual([{ woken: 'a' }, { woken: 'a' }, undefined]);
    notify({});
    await settle();
    expect(third.ended).toEqual({ woken: 'a' });
  });

  it('shortens the wait of every matching waiter for jobs due later', async () => {
    const { notify, wait, settle } = setup();
    const [first, second] = [wait(), wait()];
    notify({ n: 1, in: 0.01 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    await settle();
    expect([first.ended, second.ended]).toEqual([null, null]);
  });

  it('counts an announcement made while a claim looks (entered, not yet waiting): its wait then ends at once', async () => {
    const { wakeups, notify, settle } = setup();
    const pending = wakeups.enter('t1', ['a'], 1);
    notify({ n: 1 });
    const end = new AbortController();
    cleanups.push(end);
    let ended: WaitEnd | undefined;
    void pending.wait(30, end.signal).then((result) => (ended = result));
    await settle();
    expect(ended).toEqual({ woken: 'a' });
    expect(wakeups.waitingCount).toBe(0);
  });

  it('passes on a wake-up taken by a claim that leaves without waiting', async () => {
    const { wakeups, notify, wait, settle } = setup();
    const pending = wakeups.enter('t1', ['a'], 1); // the oldest: the announcement goes to it
    const waiting = wait();
    notify({ n: 1 });
    await settle();
    expect(waiting.ended).toBeUndefined();
    pending.leave();
    await settle();
    expect(waiting.ended).toEqual({ woken: 'a' });
    expect(wakeups.waitingCount).toBe(0);
  });

  it('leaves without passing anything on when nothing woke it', async () => {
    const { wakeups, wait, settle } = setup();
    const pending = wakeups.enter('t1', ['a'], 1);
    const waiting = wait();
    pending.leave();
    await settle();
    expect(waiting.ended).toBeUndefined();
    expect(wakeups.waitingCount).toBe(1);
  });
});
