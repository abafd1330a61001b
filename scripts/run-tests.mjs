#!/usr/bin/env node
// Runs every test file under test/ (unit, integration, e2e) with node's test runner and tsx,
// printing the spec report and, last, one plain `N passed, N failed` line.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const suites = ['unit', 'integration', 'e2e'];
const filters = process.argv.slice(2);

const files = suites
  .filter((suite) => existsSync(join(root, 'test', suite)))
  .flatMap((suite) =>
    readdirSync(join(root, 'test', suite), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => relative(root, join(root, 'test', suite, name))),
  )
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('no test files found');
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
