import type { QueryRunner } from 'typeorm';
import { recordingDataSource } from '../../../test/utils/recording-data-source';
import { inTransaction } from '../../database/transaction';
import type { EnvironmentVariables } from '../../config/environment-variables';
import { TenantChange, TenantEventsService } from './tenant-events.service';

describe('TenantEventsService listeners', () => {
  const queryRunner = { query: jest.fn(async () => []) } as unknown as QueryRunner;
  const change: TenantChange = { tenantId: 't1', schemaName: 'tenant_t1', reason: 'updated' };

  it('stops calling a listener once it unsubscribes, and still calls the one after it when it does so while called', async () => {
    const events = new TenantEventsService('postgres://unused', { INSTANCE_NAME: 'tenantry' } as EnvironmentVariables);
    const heard: string[] = [];
    const unsubscribeFirst = events.subscribe(() => {
      heard.push('first');
      unsubscribeFirst();
    });
    events.subscribe(() => heard.push('second'));

    await events.publish(queryRunner, change);
    await events.publish(queryRunner, change);

    expect(heard).toEqual(['first', 'second', 'second']);
  });

  it("tells this instance's listeners of a change once its transaction has committed, and not after a rollback", async () => {
    const events = new TenantEventsService('postgres://unused', { INSTANCE_NAME: 'tenantry' } as EnvironmentVariables);
    const log: string[] = [];
    events.subscribe(() => log.push('heard'));
    const dataSource = recordingDataSource(log);

    await inTransaction(dataSource, (queryRunner) => events.publish(queryRunner, change));
    expect(log).toEqual(['begin', 'SELECT pg_notify($1, $2)', 'commit', 'heard', 'release']);

    log.length = 0;
    await expect(
      inTransaction(dataSource, async (queryRunner) => {
        await events.publish(queryRunner, change);
        throw new Error('refused after the notify');
      }),
    ).rejects.toThrow('refused after the notify');
    expect(log).toEqual(['begin', 'SELECT pg_notify($1, $2)', 'rollback', 'release']);
  });

  it('treats a second unsubscribe as done', async () => {
    const events = new TenantEventsService('postgres://unused', { INSTANCE_NAME: 'tenantry' } as EnvironmentVariables);
    const heard: string[] = [];
    const unsubscribe = events.subscribe(() => heard.push('one'));
    events.subscribe(() => heard.push('two'));
    unsubscribe();
    unsubscribe();

    await events.publish(queryRunner, change);

    expect(heard).toEqual(['two']);
  });
});
