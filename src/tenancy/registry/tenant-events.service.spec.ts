import type { QueryRunner } from 'typeorm';
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
