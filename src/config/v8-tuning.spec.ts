import { applyV8Tuning, type V8Tuning } from './v8-tuning';

describe('applyV8Tuning', () => {
  const defaults: V8Tuning = { heapGrowthPercent: 50, pretenuring: false };
  const run = (tuning: Partial<V8Tuning> = {}, execArgv: string[] = []) => {
    const set = jest.fn();
    const applied = applyV8Tuning({ ...defaults, ...tuning }, execArgv, set);
    return { applied, calls: set.mock.calls.map(([flags]) => flags as string) };
  };

  it('sets the heap growth and turns allocation-site pretenuring off by default', () => {
    const flags = ['--heap-growing-percent=50', '--no-allocation-site-pretenuring'];
    expect(run()).toEqual({ applied: flags, calls: flags });
  });

  it('leaves V8 alone for a growth of 0 and pretenuring on', () => {
    expect(run({ heapGrowthPercent: 0, pretenuring: true })).toEqual({ applied: [], calls: [] });
    expect(run({ heapGrowthPercent: 0 }).applied).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('defers to a flag given on the command line, in either spelling', () => {
    expect(run({}, ['--heap-growing-percent=20']).applied).toEqual(['--no-allocation-site-pretenuring']);
    expect(run({}, ['--enable-source-maps', '--heap_growing_percent=80']).applied).toEqual(['--no-allocation-site-pretenuring']);
    expect(run({}, ['--allocation-site-pretenuring']).applied).toEqual(['--heap-growing-percent=50']);
    expect(run({}, ['--no_allocation_site_pretenuring']).applied).toEqual(['--heap-growing-percent=50']);
  });

  it('is not fooled by other flags that share a prefix', () => {
    expect(run({}, ['--heap-growing-percentage-x', '--allocation-site-pretenuring-x']).applied).toEqual([
      '--heap-growing-percent=50',
      '--no-allocation-site-pretenuring',
    ]);
  });
});
