#!/usr/bin/env node
// Builds dist/ only when it is missing or older than the sources, so `npm run cli -- …` starts at once on a
// second call. The build overwrites files in place (nest-cli.json: deleteOutDir false), never deleting dist/
// under a running server.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const inputs = ['src', 'migrations', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const sourcesAt = Math.max(...inputs.map((entry) => newestMtime(path.join(root, entry))));
if (builtAt() >= sourcesAt && fs.existsSync(path.join(root, 'dist', 'src', 'cli.js')) && fs.existsSync(path.join(root, 'dist', 'scripts', 'demo.js'))) process.exit(0);

const started = new Date();
const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) process.exit(result.status ?? 1);
// The stamp carries the build's start time: a source saved while it ran still counts as newer.
fs.writeFileSync(stamp, '');
fs.utimesSync(stamp, started, started);
