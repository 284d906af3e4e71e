import { setFlagsFromString } from 'node:v8';

export interface V8Tuning {
  /** HEAP_GROWTH_PERCENT: 0 keeps V8's own policy. */
  heapGrowthPercent: number;
  /** V8_PRETENURING: true keeps V8's allocation-site pretenuring on. */
  pretenuring: boolean;
}

/**
 * True when `--name`, `--name=…` or `--no-name` (dashes or underscores) is on the node command line. Node refuses
 * both flags in NODE_OPTIONS (it does not start), so the command line is the only place an operator can set them.
 */
function givenByOperator(name: string, execArgv: string[]): boolean {
  const pattern = new RegExp(`^--(no[-_])?${name.split('-').join('[-_]')}(=|$)`);
  return execArgv.some((arg) => pattern.test(arg));
}

/**
 * The V8 settings the server applies at start-up (V8 reads both at every collection, so setting them then
 * takes effect); a flag given on the node command line wins. Returns the flags set.
 *
 * - `--heap-growing-percent` (HEAP_GROWTH_PERCENT = 50): how far the old generation may grow past the live
 *   heap before its next full collection, here 1.5 × what was live after the last one. On a machine with a
 *   lot of memory V8 otherwise allows up to 4 × (the factor it picks when collections are cheap), which made
 *   an instance serving 1,000 tenants peak at 376 MiB RSS with ~65 MiB live.
 * - `--no-allocation-site-pretenuring` (V8_PRETENURING = false): V8 allocates the objects of an allocation
 *   site straight in the old generation once most of them have survived a young collection. A server at
 *   saturation has 16 requests' rows and responses in flight at every young collection, so the sites that
 *   build them (the driver's rows, timestamps and arrays, Express's and Nest's response objects) were
 *   judged long-lived, and every request's data then died in the old generation: twice the young-GC time
 *   and full collections several times a second (bench/README.md, "pretenuring").
 */
export function applyV8Tuning(
  tuning: V8Tuning,
  execArgv: string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): string[] {
  const flags: string[] = [];
  if (tuning.heapGrowthPercent > 0 && !givenByOperator('heap-growing-percent', execArgv)) flags.push(`--heap-growing-percent=${tuning.heapGrowthPercent}`);
  if (!tuning.pretenuring && !givenByOperator('allocation-site-pretenuring', execArgv)) flags.push('--no-allocation-site-pretenuring');
  for (const flag of flags) setFlags(flag);
  return flags;
}
