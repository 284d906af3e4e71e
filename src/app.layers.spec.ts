import { readdirSync, readFileSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

/**
 * README ("How it fits together") states the layers: `common/ ← config/ ← … ← health/`, a folder importing only
 * from those to its left, and among the features `targets/ ← sessions/ ← jobs/ ← schedules/`. This reads both
 * lines from README and checks every import of src/ against them, so the code and the sentence stay in step.
 */
const SRC = __dirname;
const readme = readFileSync(join(SRC, '..', 'README.md'), 'utf8');
const folders = (line: string) => line.split('←').map((level) => level.split(',').map((name) => name.trim().replace(/\/$/, '')));
const layers = folders(/Layers point one way: `([^`]+)`/.exec(readme)![1]);
const features = folders(/Among\s+the features, `([^`]+)`/.exec(readme)![1]).map(([name]) => name);
const levelOf = (folder: string) => layers.findIndex((level) => level.includes(folder));
/** src/entities.ts gathers the features' entities: folders above the features may use it, like the features themselves. */
const ROOT_AT_FEATURE_LEVEL = ['entities'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Whether a file in folder `from` may import `to` (a folder of src/, or `/name` for a file at the root of src/). */
function allowed(from: string, to: string): boolean {
  if (to === from) return true;
  if (to.startsWith('/')) {
    const name = to.slice(1);
    return ROOT_AT_FEATURE_LEVEL.includes(name) && levelOf(from) > levelOf(features[0]);
  }
  if (features.includes(from) && features.includes(to)) return features.indexOf(to) < features.indexOf(from);
  return levelOf(to) < levelOf(from);
}

describe('imports follow the layers README states', () => {
  it('knows every folder of src/ from the layer line', () => {
    const unknown = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && levelOf(entry.name) < 0)
      .map((entry) => entry.name);
    expect(unknown).toEqual([]);
  });

  it('has no import from a folder to one at its level or to its right, nor into the app files at the root', () => {
    const wrong: string[] = [];
    for (const file of sources(SRC)) {
      const [from, ...rest] = relative(SRC, file).split(sep);
      if (rest.length === 0) continue; // the app files at the root of src/ assemble everything
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?'(\.[^']+)'/g)) {
        const target = relative(SRC, normalize(join(dirname(file), specifier))).split(sep);
        if (target[0] === '..') continue;
        const to = target.length > 1 ? target[0] : `/${target[0]}`;
        if (!allowed(from, to)) wrong.push(`${relative(SRC, file)} imports ${specifier}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
