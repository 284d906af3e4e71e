import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, join } from 'path';

const ROOT = join(__dirname, '..');
const DOCS = ['README.md', 'bench/README.md', '.env.example', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
const SOURCES = ['.ts', '.js', '.json', '.md', '.yaml', '.sql'];
/** Every file of the repository's sources, for names the docs give without their folder. */
function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return ['node_modules', 'dist', '.data', '.git', 'test-artifacts'].includes(entry.name) ? [] : walk(join(dir, entry.name));
    return [join(dir, entry.name)];
  });
}
const files = walk('.');
const basenames = new Set(files.map((f) => basename(f)));

/**
 * The paths a doc names in backticks: `src/jobs/job-metrics.ts`, `jobs/job-metrics.ts` (from src/), `docs/…`,
 * a folder `src/ops/`. Globs, build output (dist/), the runtime data directory and what the tests write
 * (test-artifacts/, there only once a suite has run) are no files to find.
 */
function namedPaths(text: string): string[] {
  const paths: string[] = [];
  for (const [, token] of text.matchAll(/`([^`\s]+)`/g)) {
    const path = token.replace(/:\d+$/, '');
    if (/[*<>…]/.test(path) || /^(dist|\.data|test-artifacts)\//.test(path) || /^[a-z]+:\/\//.test(path)) continue;
    const isFile = SOURCES.some((ext) => path.endsWith(ext)) && /^[\w./-]+$/.test(path);
    const isFolder = /^[\w.-]+(\/[\w.-]+)*\/$/.test(path) && path.split('/').length > 2;
    if (isFile || isFolder) paths.push(path);
  }
  return paths;
}

describe('files and folders named in the docs exist', () => {
  it.each(DOCS)('%s', (doc) => {
    const missing = namedPaths(readFileSync(join(ROOT, doc), 'utf8')).filter((path) => {
      if (!path.includes('/')) return path.endsWith('.ts') && !basenames.has(path);
      // A .js path under src/ names the build of its .ts (`src/main.js` in dist/).
      const candidates = [path, `src/${path}`, ...(path.endsWith('.js') ? [path.replace(/\.js$/, '.ts')] : [])];
      return !candidates.some((candidate) => existsSync(join(ROOT, candidate)));
    });
    expect(missing).toEqual([]);
  });
});
