#!/usr/bin/env node
// `npm run mutate [-- name ...] [--keep]`: checks that the tests notice when an important behaviour is
// removed. Each mutation of scripts/mutations.mjs is applied on its own to a scratch copy of the project (never
// the working tree), the tests that cover it run, and the copy is put back. One line per mutation, ending in
// `killed` (a test failed, as it should) or `survived` (every test still passed: the behaviour is untested).
// Exit code 0 only when every mutation was killed; 1 when one survived or could not be applied; 2 when the
// tests fail without any mutation (then no verdict means anything).
//
// The scratch copy holds the project's tracked and new (not ignored) files; node_modules, the model files and
// the shared photos are symlinks, so nothing large is copied and the working tree is never written.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS } from './mutations.mjs';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !MUTATIONS.some((m) => m.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown mutation(s): ${unknown.join(', ')}. Known: ${MUTATIONS.map((m) => m.name).join(', ')}`);
    process.exit(2);
  }
  return {
    selected: names.length > 0 ? MUTATIONS.filter((m) => names.includes(m.name)) : MUTATIONS,
    keep: argv.includes('--keep'),
  };
}

/** Tracked files plus new files git does not ignore: what a fresh clone of this working tree would hold. */
function projectFiles() {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: projectRoot, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return [...new Set(listed.stdout.split('\0').filter(Boolean))];
}

function makeScratch() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'station-mutate-'));
  const root = path.join(base, 'project');
  for (const file of projectFiles()) {
    const from = path.join(projectRoot, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(from, path.join(root, file));
  }
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // The model files are git-ignored (fetched by `npm run models`): link them, next to the copied manifest.
  for (const name of fs.readdirSync(path.join(projectRoot, 'models'))) {
    if (name.endsWith('.onnx')) fs.symlinkSync(path.join(projectRoot, 'models', name), path.join(root, 'models', name));
  }
  // The tests find the shared photos at ../shared from the project.
  const shared = path.join(projectRoot, '..', 'shared');
  if (fs.existsSync(shared)) fs.symlinkSync(fs.realpathSync(shared), path.join(base, 'shared'), 'dir');
  return { base, root };
}

/** Compiles the engine into the scratch copy's dist/ (for tests that run the `station` command). */
function build(root) {
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json'], { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function runTests(root, mutation) {
  const args = [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...mutation.tests];
  if (mutation.testNamePattern) args.push('--testNamePattern', mutation.testNamePattern);
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  return { passed: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function occurrences(text, fragment) {
  let count = 0;
  for (let at = text.indexOf(fragment); at !== -1; at = text.indexOf(fragment, at + 1)) count += 1;
  return count;
}

function main() {
  const { selected, keep } = parseArgs(process.argv.slice(2));
  const { base, root } = makeScratch();
  console.log(`scratch copy: ${root}`);
  let failures = 0;
  try {
    if (selected.some((m) => m.build)) {
      const built = build(root);
      if (!built.ok) {
        console.error(`The unmutated project does not build:\n${built.output}`);
        return 2;
      }
    }
    // Without a mutation every covering test must pass, or "killed" would mean nothing.
    const allTests = [...new Set(selected.flatMap((m) => m.tests))];
    const baseline = runTests(root, { tests: allTests });
    if (!baseline.passed) {
      console.error(`The covering tests fail without any mutation; fix them first:\n${baseline.output.split('\n').slice(-60).join('\n')}`);
      return 2;
    }
    for (const mutation of selected) {
      const file = path.join(root, mutation.file);
      const original = fs.readFileSync(file, 'utf8');
      const found = occurrences(original, mutation.from);
      if (found !== 1) {
        console.log(`${mutation.name} (${mutation.file}): cannot be applied, its code was found ${found} times (update scripts/mutations.mjs)`);
        failures += 1;
        continue;
      }
      fs.writeFileSync(file, original.replace(mutation.from, () => mutation.to));
      try {
        if (mutation.build && !build(root).ok) {
          console.log(`${mutation.name} (${mutation.file}): killed (by the compiler)`);
          continue;
        }
        const result = runTests(root, mutation);
        if (result.passed) failures += 1;
        console.log(`${mutation.name} (${mutation.file}; ${mutation.tests.join(', ')}): ${result.passed ? 'survived' : 'killed'}`);
      } finally {
        fs.writeFileSync(file, original);
        if (mutation.build) build(root);
      }
    }
  } finally {
    if (keep) console.log(`kept ${base}`);
    else fs.rmSync(base, { recursive: true, force: true });
  }
  return failures > 0 ? 1 : 0;
}

process.exitCode = main();
