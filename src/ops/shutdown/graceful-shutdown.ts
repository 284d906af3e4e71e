import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { DrainSignal } from '../../common/drain-signal';
import { InFlightRequests } from './in-flight-requests';

const CLOSE_TIMEOUT_MS = 5000;

/**
 * SIGTERM/SIGINT: readiness answers 503 and new requests are refused at once (DrainSignal), in-flight requests
 * get `graceMs` to finish, keep-alive connections end after their current response; then the app closes
 * (tenant DataSources, the pools, the LISTEN connection, the shared DataSource) and the listeners with it.
 */
export async function drainAndClose(app: INestApplication, graceMs: number, logger: Logger, servers: Server[] = []): Promise<void> {
  const inFlight = app.get(InFlightRequests);
  app.get(DrainSignal).begin();
  const all = [app.getHttpServer() as Server, ...servers];
  for (const server of all) server.closeIdleConnections();
  if (inFlight.count > 0) logger.info(`waiting up to ${graceMs / 1000} s for ${inFlight.count} request(s) in flight`);
  if (!(await inFlight.idle(graceMs))) logger.warn(`${inFlight.count} request(s) still in flight after the grace period: closing them`);
  for (const server of all) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  // A request cut off after the grace may still hold a pooled connection (a query waiting on a lock): closing
  // the pools waits for it, so the close gets a bound too.
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    app.close().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (!closed) logger.warn(`the app did not close within ${CLOSE_TIMEOUT_MS / 1000} s: exiting anyway`);
}
