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

/** Whether dist/ holds a build of the sources as they are now. */
function fresh() {
  const sourcesAt = Math.max(...inputs.map((entry) => newestMtime(path.join(root, entry))));
  return builtAt() >= sourcesAt && fs.existsSync(path.join(root, 'dist', 'src', 'cli.js')) && fs.existsSync(path.join(root, 'dist', 'scripts', 'demo.js'));
}

// One build at a time: two commands started together (two test suites, `npm start` beside `npm run cli`) would
// both write dist/; the second waits for the first's build and then finds it fresh.
const lock = path.join(root, 'dist', '.build-lock');
const LOCK_WAIT_MS = 200;
// A lock left without its owner's pid (a process killed between taking it and writing it) is old after this.
const UNOWNED_LOCK_MS = 60_000;

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function takeLock() {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    } catch {
      // not written yet, or the lock was just released
    }
    const abandoned = Number.isInteger(owner) && owner > 0 ? !isAlive(owner) : lockAge() > UNOWNED_LOCK_MS;
    if (abandoned) fs.rmSync(lock, { recursive: true, force: true });
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_WAIT_MS);
  }
}

function lockAge() {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function build() {
  const started = new Date();
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) return result.status ?? 1;
  // The stamp carries the build's start time: a source saved while it ran still counts as newer.
  fs.writeFileSync(stamp, '');
  fs.utimesSync(stamp, started, started);
  return 0;
}

if (!fresh()) {
  takeLock();
  let status;
  try {
    status = fresh() ? 0 : build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  process.exit(status);
}
