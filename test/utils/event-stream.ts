import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';

/** One server-sent event as a client sees it (a comment line is `{ comment }`). */
export interface ServerEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A raw `text/event-stream` client: every event received, in order, and the end of the response. */
export interface EventStreamClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: ServerEvent[];
  /** Resolves when the server has ended the response (or the connection closed). */
  ended: Promise<void>;
  /** Resolves with the events once `predicate` holds for them (checked on every event). */
  until(predicate: (events: ServerEvent[]) => boolean): Promise<ServerEvent[]>;
  /** The entries (events with an id) received so far: `[seq, parsed data]`. */
  entries(): Array<{ seq: number; message: string; level: string; data: unknown; timestamp: string }>;
  /** The client leaves (closes the connection). */
  close(): void;
}

/** The app's HTTP server listening on an ephemeral port (tests stream over a real socket). */
export async function listeningPort(app: INestApplication): Promise<number> {
  const server = app.getHttpServer() as http.Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function parseEvent(block: string): ServerEvent {
  const event: ServerEvent = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) event.comment = line.slice(1).trim();
    const match = /^(id|event|data): ?(.*)$/.exec(line);
    if (match) event[match[1] as 'id' | 'event' | 'data'] = match[2];
  }
  return event;
}

/**
 * Opens `path` and resolves once the status and headers have arrived; JSON error answers are in `events` as one
 * `{ data }` with the body. Events are parsed as the SSE format says (blocks separated by a blank line).
 */
export function openEventStream(port: number, path: string, headers: Record<string, string>): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: ServerEvent[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      let resolveEnded!: () => void;
      const ended = new Promise<void>((done) => (resolveEnded = done));
      const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (!streaming) return;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          events.push(parseEvent(buffer.slice(0, cut)));
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
        }
        for (const wake of waiters.splice(0)) wake();
      });
      let closed = false;
      const finish = () => {
        if (closed) return;
        closed = true;
        if (!streaming && buffer) events.push({ data: buffer });
        resolveEnded();
        for (const wake of waiters.splice(0)) wake();
      };
      res.on('end', finish);
      res.on('close', finish);
      req.on('error', () => undefined);
      const client: EventStreamClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        until: async (predicate) => {
          while (!predicate(events)) {
            if (closed) throw new Error(`the stream ended before the expected events; got ${JSON.stringify(events)}`);
            await new Promise<void>((wake) => waiters.push(wake));
          }
          return events;
        },
        entries: () => events.filter((e) => e.id !== undefined).map((e) => ({ seq: Number(e.id), ...JSON.parse(e.data!) })),
        close: () => req.destroy(),
      };
      resolve(client);
    });
  });
}
