import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('never runs two ticks at once, skips ticks while paused, and stop() waits for the running one', async () => {
    let release!: () => void;
    let started = 0;
    let finished = 0;
    let paused = false;
    const task = new PeriodicTask(
      () => {
        started += 1;
        return new Promise<void>((resolve) => (release = () => ((finished += 1), resolve())));
      },
      () => paused,
    );
    task.start(100);
    jest.advanceTimersByTime(350);
    expect(started).toBe(1); // the first tick is still running
    release();
    await Promise.resolve();
    await Promise.resolve();
    paused = true;
    jest.advanceTimersByTime(300);
    expect(started).toBe(1);
    paused = false;
    jest.advanceTimersByTime(100);
    expect(started).toBe(2);
    const stopped = task.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(2);
    jest.advanceTimersByTime(1_000);
    expect(started).toBe(2);
  });
});
