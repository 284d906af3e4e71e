import { BadRequestException, type ValidationPipe } from '@nestjs/common';
import { QuickDtoCheck } from './quick-dto-check';
import { CreateJobBatchDto } from '../jobs/dto/create-job.dto';
import { CompleteJobBatchDto } from '../jobs/dto/worker.dto';
import { appPipe, decoratorsOnlyPipe } from '../../test/utils/validation-pipes';


const TARGET = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const JOB = '0d5e7c1a-9b8f-4e6d-a2c3-b4d5e6f7a8b9';

async function outcome(pipe: ValidationPipe, metatype: Function, body: unknown): Promise<unknown> {
  try {
    const result = await pipe.transform(JSON.parse(JSON.stringify(body)), { type: 'body', metatype: metatype as never });
    return { class: (result as object).constructor.name, value: result };
  } catch (error) {
    if (error instanceof BadRequestException) return { error: error.getResponse() };
    throw error;
  }
}

const quickChecked = (dto: Function, body: unknown) => new QuickDtoCheck().check(dto, body);

describe('quick checks of the batch bodies (nested DTO arrays)', () => {
  const batches: Array<[string, unknown, boolean]> = [
    ['minimal jobs', { jobs: [{ targetId: TARGET, type: 'backup' }] }, true],
    ['every quick field', { jobs: [{ targetId: TARGET, type: 'a b~', payload: { constructor: 1, n: [1, { x: null }] }, priority: -100, maxAttempts: 20 }] }, true],
    ['the special uuids', { jobs: [{ targetId: '00000000-0000-0000-0000-000000000000', type: 'x' }, { targetId: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', type: 'y' }] }, true],
    ['a session', { jobs: [{ targetId: TARGET, sessionId: JOB, type: 'x' }] }, true],
    ['a runAt', { jobs: [{ targetId: TARGET, type: 'x', runAt: '2030-01-01T00:00:00+02:00' }] }, true],
    ['a non-ASCII type', { jobs: [{ targetId: TARGET, type: 'sauvegarde é' }] }, true],
    ['an unknown field', { jobs: [{ targetId: TARGET, type: 'x', colour: 'red' }] }, false],
    ['a null payload', { jobs: [{ targetId: TARGET, type: 'x', payload: null }] }, false],
    ['an array payload', { jobs: [{ targetId: TARGET, type: 'x', payload: [] }] }, false],
    ['a NUL in the payload', { jobs: [{ targetId: TARGET, type: 'x', payload: { a: '\u0000' } }] }, false],
    ['a fractional priority', { jobs: [{ targetId: TARGET, type: 'x', priority: 1.5 }] }, false],
    ['a priority out of range', { jobs: [{ targetId: TARGET, type: 'x', priority: 101 }] }, false],
    ['maxAttempts 0', { jobs: [{ targetId: TARGET, type: 'x', maxAttempts: 0 }] }, false],
    ['a bad uuid', { jobs: [{ targetId: TARGET.slice(1), type: 'x' }] }, false],
    ['an empty type', { jobs: [{ targetId: TARGET, type: '' }] }, false],
    ['a type of 101 characters', { jobs: [{ targetId: TARGET, type: 'x'.repeat(101) }] }, false],
    ['no jobs', { jobs: [] }, false],
    ['1,001 jobs', { jobs: Array.from({ length: 1001 }, () => ({ targetId: TARGET, type: 'x' })) }, false],
    ['a field beside jobs', { jobs: [{ targetId: TARGET, type: 'x' }], extra: 1 }, false],
    ['a constructor key on an item', { jobs: [JSON.parse(`{"targetId": "${TARGET}", "type": "x", "constructor": 1}`)] }, false],
    ['not an object', [1], false],
    ['a runAt without an offset', { jobs: [{ targetId: TARGET, type: 'x', runAt: '2030-01-01T00:00:00' }] }, false],
    ['a runAt in year 10000', { jobs: [{ targetId: TARGET, type: 'x', runAt: '+010000-01-01T00:00:00Z' }] }, false],
    ['a bad session id', { jobs: [{ targetId: TARGET, sessionId: 'nope', type: 'x' }] }, false],
    ['a null session', { jobs: [{ targetId: TARGET, sessionId: null, type: 'x' }] }, false],
    ['a lone surrogate in the type', { jobs: [{ targetId: TARGET, type: 'a\ud800' }] }, false],
    ['jobs as an object', { jobs: { 0: { targetId: TARGET, type: 'x' } } }, false],
    ['jobs null', { jobs: null }, false],
    ['no jobs field', {}, false],
    ['an item that is a string', { jobs: ['x'] }, false],
    ['an item that is an array', { jobs: [[{ targetId: TARGET, type: 'x' }]] }, false],
    ['a null item', { jobs: [null] }, false],
    ['a good item and a bad one', { jobs: [{ targetId: TARGET, type: 'x' }, { targetId: TARGET, type: 7 }] }, false],
  ];

  it.each(batches)('POST /jobs/batch, %s: same outcome as the decorators', async (_name, body, quick) => {
    expect(quickChecked(CreateJobBatchDto, JSON.parse(JSON.stringify(body))) !== null).toBe(quick);
    expect(await outcome(appPipe, CreateJobBatchDto, body)).toEqual(await outcome(decoratorsOnlyPipe, CreateJobBatchDto, body));
  });

  const completions: Array<[string, unknown, boolean]> = [
    ['ids', { workerId: 'worker-7', items: [{ id: JOB }, { id: TARGET }] }, true],
    ['results', { workerId: 'w', items: [{ id: JOB, result: { files: 12, constructor: 'x' } }] }, true],
    ['a repeated id', { workerId: 'w', items: [{ id: JOB }, { id: JOB }] }, true],
    ['a non-ASCII worker', { workerId: 'wörker', items: [{ id: JOB }] }, true],
    ['an empty worker', { workerId: '', items: [{ id: JOB }] }, false],
    ['a null result', { workerId: 'w', items: [{ id: JOB, result: null }] }, false],
    ['a bad id', { workerId: 'w', items: [{ id: 'nope' }] }, false],
    ['101 items', { workerId: 'w', items: Array.from({ length: 101 }, () => ({ id: JOB })) }, false],
    ['an unknown item field', { workerId: 'w', items: [{ id: JOB, status: 'succeeded' }] }, false],
    ['no workerId', { items: [{ id: JOB }] }, false],
    ['items null', { workerId: 'w', items: null }, false],
    ['an item that is an id string', { workerId: 'w', items: [JOB] }, false],
    ['an array result', { workerId: 'w', items: [{ id: JOB, result: [1] }] }, false],
  ];

  it.each(completions)('POST /jobs/complete-batch, %s: same outcome as the decorators', async (_name, body, quick) => {
    expect(quickChecked(CompleteJobBatchDto, JSON.parse(JSON.stringify(body))) !== null).toBe(quick);
    expect(await outcome(appPipe, CompleteJobBatchDto, body)).toEqual(await outcome(decoratorsOnlyPipe, CompleteJobBatchDto, body));
  });

  it('builds the DTO instances the decorators build, items included', async () => {
    const body = { jobs: [{ targetId: TARGET, type: 'x', payload: { a: 1 } }] };
    const built = (await appPipe.transform(body, { type: 'body', metatype: CreateJobBatchDto })) as CreateJobBatchDto;
    expect(built).toBeInstanceOf(CreateJobBatchDto);
    expect(built.jobs[0].constructor.name).toBe('CreateJobDto');
    expect(built.jobs[0].payload).toBe(body.jobs[0].payload); // free-form JSON is handed over as sent
  });
});
