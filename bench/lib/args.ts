/** `--name value`, `--name=value` and bare `--flag` (true); anything else is an error naming the flag. */
export function parseArgs(argv: string[], known: Record<string, 'number' | 'string' | 'boolean'>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i]);
    const name = match?.[1];
    const kind = name ? known[name] : undefined;
    if (!match || !name || !kind) throw new Error(`unknown argument ${argv[i]}; known: ${Object.keys(known).map((k) => `--${k}`).join(' ')}`);
    if (kind === 'boolean') {
      out[name] = true;
      continue;
    }
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${name} needs a value`);
    if (kind === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
      out[name] = value;
    } else out[name] = raw;
  }
  return out;
}
