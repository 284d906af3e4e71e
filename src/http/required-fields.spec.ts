import { BadRequestException } from '@nestjs/common';
import { CreateTenantDto, ImportTenantQueryDto, UpdateTenantDto } from '../tenancy/registry/dto/tenant.dto';
import { CreateJobBatchDto } from '../jobs/dto/create-job.dto';
import { HeartbeatJobDto } from '../jobs/dto/worker.dto';
import { CreateScheduleDto } from '../schedules/dto/schedule.dto';
import { appPipe } from '../../test/utils/validation-pipes';

const TARGET = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';

async function message(metatype: Function, value: unknown, type: 'body' | 'query' = 'body'): Promise<unknown> {
  try {
    await appPipe.transform(JSON.parse(JSON.stringify(value)), { type, metatype: metatype as never });
  } catch (error) {
    if (error instanceof BadRequestException) return (error.getResponse() as { message: unknown }).message;
    throw error;
  }
  return null;
}

describe('a required field left out', () => {
  it.each<[string, Function, unknown, string[]]>([
    ['a tenant without a slug', CreateTenantDto, { name: 'x' }, ['slug is required']],
    ['a tenant without anything', CreateTenantDto, {}, ['name is required', 'slug is required']],
    ['a batch item without a type, by its index', CreateJobBatchDto, { jobs: [{ targetId: TARGET, type: 'a' }, { targetId: TARGET, type: 'b' }, { type: 'c' }, { targetId: TARGET }] }, ['jobs.2.targetId is required', 'jobs.3.type is required']],
    ['a batch without jobs', CreateJobBatchDto, {}, ['jobs is required']],
    ['a schedule without its job', CreateScheduleDto, { name: 's', cron: '0 9 * * 1' }, ['job is required']],
    ['a field of a schedule job', CreateScheduleDto, { name: 's', cron: '0 9 * * 1', job: { type: 'x' } }, ['job.targetId is required']],
    ['a progress without its percent', HeartbeatJobDto, { workerId: 'w', progress: {} }, ['progress.percent is required']],
    ['a rate limit without its rate', UpdateTenantDto, { rateLimit: { burst: 5 } }, ['rateLimit.requestsPerSecond is required']],
  ])('%s is told it is required', async (_case, dto, body, expected) => {
    expect(await message(dto, body)).toEqual(expected);
  });

  it('in a query too', async () => {
    expect(await message(ImportTenantQueryDto, { name: 'x' }, 'query')).toEqual(['slug is required']);
  });

  it('while a field sent with the wrong type, or as null, is told its type', async () => {
    expect(await message(CreateTenantDto, { name: 'x', slug: 7 })).toEqual(['slug must be a string']);
    expect(await message(CreateTenantDto, { name: 'x', slug: null })).toEqual(['slug must be a string']);
    expect(await message(CreateJobBatchDto, { jobs: [{ targetId: TARGET, type: null }] })).toEqual(['jobs.0.type must be a string']);
    expect(await message(CreateJobBatchDto, { jobs: null })).toEqual(['jobs must be an array']);
    expect(await message(CreateScheduleDto, { name: 's', cron: '0 9 * * 1', job: null })).toEqual(['job must be an object']);
  });
});
