import { Histogram, Registry } from 'prom-client';
import { histogramObserver } from './histogram-observer';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function pair(labelNames: string[]) {
  const registries = [new Registry(), new Registry()];
  const [plain, fast] = registries.map((registry) => new Histogram({ name: 'h_seconds', help: 'h', labelNames, buckets: BUCKETS, registers: [registry] }));
  const text = async () => Promise.all(registries.map((registry) => registry.metrics()));
  return { plain, fast, text };
}

describe('histogramObserver', () => {
  it('gives the exposition observe gives, for values on, between and beyond the bounds, per label set', async () => {
    const { plain, fast, text } = pair(['route', 'status']);
    const sets = [{ route: '/targets', status: 200 }, { route: '/targets', status: 404 }, { route: 'unmatched', status: 200 }];
    const observers = sets.map((labels) => histogramObserver(fast, labels));
    const values = [...BUCKETS, 0, -1, 0.00099, 0.0011, 10.5, 1e6, 3, ...Array.from({ length: 500 }, (_, i) => ((i * 7919) % 12000) / 1000)];
    values.forEach((value, i) => {
      plain.observe(sets[i % 3], value);
      observers[i % 3](value);
    });
    const [expected, actual] = await text();
    expect(actual).toBe(expected);
    expect(actual).toContain('h_seconds_count{route="/targets",status="200"}');
  });

  it('starts again after reset, remove and zero, and refuses what observe refuses', async () => {
    const { plain, fast, text } = pair(['route']);
    const labels = { route: '/a' };
    const observe = histogramObserver(fast, labels);
    const both = (value: number) => {
      plain.observe(labels, value);
      observe(value);
    };
    both(0.2);
    both(0.3);
    plain.reset();
    fast.reset();
    both(0.004);
    plain.remove(labels);
    fast.remove(labels);
    both(2);
    plain.zero(labels);
    fast.zero(labels);
    both(0.7);
    expect(() => observe(Number.NaN)).toThrow(TypeError);
    const [expected, actual] = await text();
    expect(actual).toBe(expected);
    expect(actual).toContain('h_seconds_count{route="/a"} 1');
  });

  it('serves a histogram without labels', async () => {
    const { plain, fast, text } = pair([]);
    const observe = histogramObserver(fast, {});
    for (const value of [0.0005, 0.02, 7, 11]) {
      plain.observe(value);
      observe(value);
    }
    const [expected, actual] = await text();
    expect(actual).toBe(expected);
    expect(actual).toContain('h_seconds_count 4');
  });
});
