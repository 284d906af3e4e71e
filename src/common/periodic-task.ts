/**
 * A background loop for the server's timers (lease sweeper, scheduler, purge): runs `tick` every `intervalMs`,
 * never two ticks at once, not while `paused()` answers true; `stop()` ends the loop and waits for a running tick.
 * The timer is unref'd: it never keeps the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly paused: () => boolean = () => false,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (!this.running && !this.paused()) this.running = this.tick().finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
