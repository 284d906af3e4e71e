import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { DIRECT_DATABASE_URL } from '../../database/database.tokens';
import { afterCommit } from '../../database/transaction';

export const TENANT_CHANNEL = 'tenantry_tenant_changed';
/** How long the listener's connection may take to open, and each of its statements to be answered. */
const OPEN_TIMEOUT_MS = 5_000;

export type TenantChangeReason =
  | 'key-regenerated'
  | 'key-revoked'
  | 'key-rotated'
  | 'updated'
  /** Soft-deleted: its keys are refused, its data kept. */
  | 'deleted'
  | 'restored'
  /** Erased: schema, keys and row are gone. */
  | 'purged';
export interface TenantChange {
  tenantId: string;
  schemaName: string;
  reason: TenantChangeReason;
}
type Listener = (change: TenantChange | 'resync') => void;

/**
 * Tells every instance that a tenant changed (PostgreSQL LISTEN/NOTIFY), so each evicts cached keys and
 * data sources at once. After a lost connection listeners get `resync` (notifications may have been missed).
 */
@Injectable()
export class TenantEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TenantEventsService.name);
  private readonly listeners: Listener[] = [];
  private readonly channelHandlers = new Map<string, (payload: string) => void>();
  private client?: Client;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private connecting?: Promise<void>;

  private readonly applicationName: string;
  private readonly heartbeatMs: number;
  private heartbeatTimer?: NodeJS.Timeout;

  // LISTEN is session state: it needs a real session, never a transaction-mode pooler's connection.
  constructor(@Inject(DIRECT_DATABASE_URL) private readonly databaseUrl: string, config: EnvironmentVariables) {
    this.applicationName = `${config.INSTANCE_NAME}:listen`;
    this.heartbeatMs = config.LISTEN_HEARTBEAT_SECONDS * 1000;
  }

  /**
   * Another channel on the same LISTEN connection (one per instance, whatever the number of channels or
   * waiters). Register before the application initializes; `resync` reaches `subscribe` listeners.
   */
  onChannel(channel: string, handler: (payload: string) => void): void {
    this.channelHandlers.set(channel, handler);
  }

  /** Adds a listener of every change; the function returned removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at !== -1) this.listeners.splice(at, 1);
    };
  }

  /**
   * Sends the notification inside the caller's transaction: it is delivered only if that commits. This instance's
   * own listeners hear of it once the commit is done, as the others do: told before it, a cache they cleared
   * could be filled again from the rows as they were, by a request in between.
   */
  async publish(queryRunner: QueryRunner, change: TenantChange): Promise<void> {
    await queryRunner.query('SELECT pg_notify($1, $2)', [TENANT_CHANNEL, JSON.stringify(change)]);
    afterCommit(queryRunner, () => this.emit(change));
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    // A reconnection in flight ends its own client once it sees `closed`; wait for it so no socket outlives us.
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private emit(change: TenantChange | 'resync'): void {
    // Over a copy: a listener may unsubscribe itself, which would make the loop skip the one after it.
    for (const listener of [...this.listeners]) listener(change);
  }

  private connect(): Promise<void> {
    this.connecting = this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    // query_timeout: a LISTEN sent as the connection opens gets no answer from a peer gone silent at that moment,
    // and without it the reconnection would wait for one for good (the heartbeat starts only once it is open).
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: this.applicationName,
      connectionTimeoutMillis: OPEN_TIMEOUT_MS,
      query_timeout: OPEN_TIMEOUT_MS,
    });
    client.on('notification', (message) => {
      const handler = this.channelHandlers.get(message.channel);
      if (handler && message.payload) return handler(message.payload);
      if (message.channel !== TENANT_CHANNEL || !message.payload) return;
      try {
        this.emit(JSON.parse(message.payload) as TenantChange);
      } catch {
        this.logger.warn('ignored a malformed tenant notification');
      }
    });
    client.on('error', (error) => this.logger.warn(`tenant notification listener: ${error.message}`));
    try {
      await client.connect();
      // Channel names are constants of the code, never input.
      for (const channel of [TENANT_CHANNEL, ...this.channelHandlers.keys()]) {
        if (!this.closed) await client.query(`LISTEN ${channel}`);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Only the live listener reconnects: a client that failed to connect, or was ended on shutdown, does not.
    client.on('end', () => {
      if (this.client === client) this.scheduleReconnect();
    });
    this.startHeartbeat(client);
  }

  /**
   * A connection that only listens sends nothing, so a peer gone without a reset (a host that died, a NAT that
   * dropped the flow) is never noticed, and its notifications stop for good. Each beat runs `SELECT 1`: one not
   * answered by the next beat, or failing, ends the socket, and the connection is replaced as after any loss.
   */
  private startHeartbeat(client: Client): void {
    if (!(this.heartbeatMs > 0)) return;
    clearInterval(this.heartbeatTimer);
    let answered = true;
    this.heartbeatTimer = setInterval(() => {
      if (this.client !== client) return clearInterval(this.heartbeatTimer);
      if (!answered) {
        this.logger.warn(`tenant notification listener: no answer within ${this.heartbeatMs / 1000} s; reconnecting`);
        clearInterval(this.heartbeatTimer);
        return (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      }
      answered = false;
      client.query('SELECT 1').then(
        () => (answered = true),
        () => undefined, // the connection's 'error' and 'end' report it
      );
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.client = undefined;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect()
        .then(() => {
          if (!this.closed) this.emit('resync');
        })
        .catch((error: Error) => {
          this.logger.warn(`tenant notification listener reconnect failed: ${error.message}`);
          this.scheduleReconnect();
        });
    }, 1000);
    this.reconnectTimer.unref();
  }
}
