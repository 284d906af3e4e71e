import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';

/**
 * Sets how far V8 lets the old generation grow past the live heap before its next full collection:
 * HEAP_GROWTH_PERCENT = 50 means at 1.5 × what was live after the last one. On a machine with a lot of
 * memory V8 otherwise allows up to 4 × (the factor it picks when collections are cheap), which is what
 * made an instance serving 1,000 tenants peak at 376 MiB RSS with ~65 MiB live (bench/README.md).
 * V8 reads the flag at every collection, so setting it at start-up takes effect; 0 keeps V8's own policy,
 * and a `--heap-growing-percent` given on the command line or in NODE_OPTIONS wins.
 */
export function applyHeapGrowth(
  percent: number,
  process: { execArgv: string[]; env: NodeJS.ProcessEnv } = globalThis.process,
  setFlags: (flags: string) => void = setFlagsFromString,
): string | undefined {
  const givenByOperator = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some(
    (arg) => arg === FLAG || arg.startsWith(`${FLAG}=`),
  );
  if (percent <= 0 || givenByOperator) return undefined;
  const flag = `${FLAG}=${percent}`;
  setFlags(flag);
  return flag;
}
