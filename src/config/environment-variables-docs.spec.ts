import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { getMetadataStorage } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { EnvironmentVariables, validateEnvironment } from './environment-variables';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = ['README.md', 'bench/README.md', 'openapi.json', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every variable the schema validates, optional ones (no default) included. */
const variables = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((m) => m.propertyName),
);
const defaults = validateEnvironment({}) as unknown as Record<string, unknown>;
const shown = (value: unknown) => (value === undefined ? '' : String(value));

/** `NAME=value` lines of .env.example; `# NAME=example` marks a variable with no default. */
function envExample(): Map<string, { value: string; commented: boolean }> {
  const entries = new Map<string, { value: string; commented: boolean }>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    expect(entries.has(match[2])).toBe(false);
    entries.set(match[2], { value: match[3], commented: match[1] !== undefined });
  }
  return entries;
}

/** Names in backticks that read like variables but are something else (a query constant, node's own). */
const NOT_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS', 'PLAN_CLAIM_BY_INDEX', 'TENANT_STEPS']);

describe('the documented configuration matches EnvironmentVariables', () => {
  it('.env.example lists every variable the schema reads, and no other', () => {
    expect([...envExample().keys()].sort()).toEqual([...variables].sort());
  });

  it('.env.example shows each default as the code has it; a commented-out line only for a variable without one', () => {
    for (const [name, { value, commented }] of envExample()) {
      if (commented) expect({ name, default: defaults[name] }).toEqual({ name, default: undefined });
      else expect({ name, value }).toEqual({ name, value: shown(defaults[name]) });
    }
  });

  it('.env.example copied to .env as it is configures exactly the defaults', () => {
    expect(validateEnvironment(parseDotenv(read('.env.example')))).toEqual(validateEnvironment({}));
  });

  it.each(DOCS)('%s names only variables the schema reads, with their defaults', (file) => {
    const text = read(file);
    for (const [, name] of text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)) {
      if (!NOT_VARIABLES.has(name)) expect({ file, name, known: variables.has(name) }).toEqual({ file, name, known: true });
    }
    const claims = [
      ...text.matchAll(/`([A-Z][A-Z0-9_]+)`\s*\(default\s+`?([^\s`;,)]+)/g),
      ...text.matchAll(/`([A-Z][A-Z0-9_]+)`\s*\(`?([^\s`;,)]+)`?(?:\s+[a-z]+)?\s+by default/g),
    ];
    for (const [, name, value] of claims) expect({ file, name, value }).toEqual({ file, name, value: shown(defaults[name]) });
  });
});
