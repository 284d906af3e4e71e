import { applyHeapGrowth } from './heap-growth';

describe('applyHeapGrowth', () => {
  const run = (percent: number, execArgv: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const set = jest.fn();
    const applied = applyHeapGrowth(percent, { execArgv, env }, set);
    return { applied, calls: set.mock.calls.map(([flags]) => flags as string) };
  };

  it('sets V8 heap growth to the configured percentage', () => {
    expect(run(50)).toEqual({ applied: '--heap-growing-percent=50', calls: ['--heap-growing-percent=50'] });
  });

  it('leaves V8 alone when the percentage is 0', () => {
    expect(run(0)).toEqual({ applied: undefined, calls: [] });
  });

  it('defers to a growth flag given on the command line or in NODE_OPTIONS', () => {
    expect(run(50, ['--heap-growing-percent=20'])).toEqual({ applied: undefined, calls: [] });
    expect(run(50, [], { NODE_OPTIONS: '--enable-source-maps --heap-growing-percent=80' })).toEqual({ applied: undefined, calls: [] });
  });

  it('is not fooled by other flags that share a prefix', () => {
    expect(run(50, ['--heap-growing-percentage-x']).applied).toBe('--heap-growing-percent=50');
  });
});
