import { setMaxListeners } from 'node:events';
import { Injectable } from '@nestjs/common';

/**
 * Set once the process begins to drain (SIGTERM/SIGINT, or the app closing): readiness answers 503, and work
 * that waits (long-poll claims, event streams) listens to `signal` to answer at once instead of holding the drain.
 */
@Injectable()
export class DrainSignal {
  private readonly controller = new AbortController();

  constructor() {
    // Every waiting claim and open event stream listens here (a thousand waiting workers are a thousand
    // listeners, each removed when its wait ends): no "possible leak" warning past Node's default of ten.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get draining(): boolean {
    return this.controller.signal.aborted;
  }

  begin(): void {
    if (!this.draining) this.controller.abort();
  }
}
