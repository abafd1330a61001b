// checkCommand answers what execvp(3) would find, also for a program it found before and remembers
// (server/src/process/command.ts): a remembered file is looked at again, never trusted.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkCommand, parseArgv } from '../../../server/src/process/command.ts';

const root = mkdtempSync(join(tmpdir(), 'check-command-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a program found before is found again only while it is still an executable file', () => {
  const first = join(root, 'first');
  const second = join(root, 'second');
  mkdirSync(first);
  mkdirSync(second);
  const path = `/nonexistent:${first}:${second}`;
  const command = parseArgv(['greet-xyz']);
  const check = (): string | null => checkCommand(command, root, path)?.code ?? null;
  const program = join(second, 'greet-xyz');

  assert.equal(check(), 'ENOENT');
  writeFileSync(program, '#!/bin/sh\necho hi\n', { mode: 0o755 });
  assert.equal(check(), null);
  assert.equal(check(), null); // remembered, and still there
  chmodSync(program, 0o644);
  assert.equal(check(), 'EACCES');
  chmodSync(program, 0o755);
  assert.equal(check(), null);
  rmSync(program);
  assert.equal(check(), 'ENOENT');
  // Found in another PATH directory: remembered there instead.
  writeFileSync(join(first, 'greet-xyz'), '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(check(), null);
  rmSync(join(first, 'greet-xyz'));
  writeFileSync(program, '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(check(), null);
});

test('the same name under another PATH or working directory is looked up on its own', () => {
  const dir = mkdtempSync(join(root, 'own-'));
  writeFileSync(join(dir, 'tool-xyz'), '#!/bin/sh\n', { mode: 0o755 });
  const command = parseArgv(['tool-xyz']);
  assert.equal(checkCommand(command, root, dir), null);
  assert.equal(checkCommand(command, root, '/nonexistent')?.code, 'ENOENT');
  // A relative PATH entry is relative to the working directory.
  assert.equal(checkCommand(command, dir, '.'), null);
  assert.equal(checkCommand(command, root, '.')?.code, 'ENOENT');
});
