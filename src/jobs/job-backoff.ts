/** Seconds before retry number `attempts` (1 = after the first failed attempt): base × 2^(attempts−1), capped. */
export function backoffSeconds(attempts: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^exponent overflows to Infinity long after it passes any cap, so Math.min keeps it finite.
  return Math.min(baseSeconds * 2 ** exponent, maxSeconds);
}
