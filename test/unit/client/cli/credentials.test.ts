import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLoopback, resolveTarget } from '../../../../client/src/credentials.ts';
import { ClientError } from '../../../../client/src/errors.ts';

function refusal(run: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ClientError);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('loopback hosts are localhost, 127.0.0.0/8 and ::1, nothing else', () => {
  for (const host of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])
    assert.ok(isLoopback(host), host);
  for (const host of ['10.0.0.1', 'example.com', '[::2]', '128.0.0.1', 'localhost.example.com']) {
    assert.ok(!isLoopback(host), host);
  }
});

test('the URL defaults to http://127.0.0.1:8022 and the token comes from SHELLGATE_TOKEN', () => {
  const target = resolveTarget({}, { SHELLGATE_TOKEN: 'secret' });
  assert.equal(target.baseUrl, 'http://127.0.0.1:8022');
  assert.equal(target.token, 'secret');
  assert.equal(
    resolveTarget({}, { SHELLGATE_TOKEN: 't', SHELLGATE_URL: 'https://gw.example/' }).baseUrl,
    'https://gw.example',
  );
  assert.equal(
    resolveTarget(
      { url: 'https://other.example:9000' },
      { SHELLGATE_TOKEN: 't', SHELLGATE_URL: 'https://gw.example' },
    ).baseUrl,
    'https://other.example:9000',
  );
});

test('a token file wins over the environment, trimmed of its newline', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shellgate-token-'));
  try {
    const file = join(dir, 'token');
    await writeFile(file, 'from-file\n');
    assert.equal(resolveTarget({ 'token-file': file }, { SHELLGATE_TOKEN: 'from-env' }).token, 'from-file');
    await writeFile(file, '\n');
    refusal(() => resolveTarget({ 'token-file': file }, {}), 'CONFIG', /token file .* is empty/);
    refusal(
      () => resolveTarget({ 'token-file': join(dir, 'missing') }, {}),
      'CONFIG',
      /cannot read token file/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a token is not sent over plain http to another host unless --insecure', () => {
  const env = { SHELLGATE_TOKEN: 't' };
  refusal(
    () => resolveTarget({ url: 'http://10.0.0.5:8022' }, env),
    'INSECURE_TRANSPORT',
    /plain http to 10\.0\.0\.5:8022/,
  );
  assert.equal(
    resolveTarget({ url: 'http://10.0.0.5:8022', insecure: true }, env).baseUrl,
    'http://10.0.0.5:8022',
  );
  assert.equal(resolveTarget({ url: 'https://10.0.0.5:8022' }, env).baseUrl, 'https://10.0.0.5:8022');
});

test('a missing token and a URL that is not http(s) are refused with what to do', () => {
  refusal(() => resolveTarget({}, {}), 'CONFIG', /no token: set SHELLGATE_TOKEN or pass --token-file FILE/);
  refusal(
    () => resolveTarget({ url: 'ftp://x' }, { SHELLGATE_TOKEN: 't' }),
    'CONFIG',
    /expected http:\/\/ or https:\/\//,
  );
  refusal(
    () => resolveTarget({ url: 'not a url' }, { SHELLGATE_TOKEN: 't' }),
    'CONFIG',
    /invalid gateway URL/,
  );
});
