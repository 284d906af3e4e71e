import type { Histogram, LabelValues } from 'prom-client';

/* eslint-disable @typescript-eslint/no-require-imports */
// The key prom-client files a label set's values under (not exported from its index).
const { hashObject } = require('prom-client/lib/util') as { hashObject: (labels: object, labelNames?: string[]) => string };
/* eslint-enable @typescript-eslint/no-require-imports */

/** What prom-client's Histogram keeps per label set (lib/histogram.js), read and written here as its observe does. */
interface Entry {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}

interface HistogramInternals {
  hashMap: Record<string, Entry | undefined>;
  upperBounds: readonly number[];
  sortedLabelNames: string[];
  enableExemplars?: boolean;
}

/**
 * `histogram.observe(labels, value)` for one fixed label set, for a sample taken on every request. prom-client's
 * observe builds a closure, a labels/value pair, validates the labels, hashes them into a string key and turns
 * the bucket's bound back into a property name per sample; here that is done once, and a sample adds to the
 * same sum, count and bucket of the same entry. The first sample, any sample after the entry was replaced
 * (reset, remove, zero) and any value that is not a finite number go through `observe` itself.
 * `labels` is kept (it is the entry's labels) and must not change.
 */
export function histogramObserver<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>): (value: number) => void {
  const internals = histogram as unknown as HistogramInternals;
  if (internals.enableExemplars) return (value) => histogram.observe(labels, value);
  const key = hashObject(labels, internals.sortedLabelNames);
  const bounds = internals.upperBounds;
  const bucketKeys = bounds.map(String);
  let entry: Entry | undefined;
  return (value) => {
    if (entry === undefined || internals.hashMap[key] !== entry || !Number.isFinite(value)) {
      histogram.observe(labels, value);
      entry = internals.hashMap[key];
      return;
    }
    entry.sum += value;
    entry.count += 1;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        entry.bucketValues[bucketKeys[i]] += 1;
        return;
      }
    }
  };
}
