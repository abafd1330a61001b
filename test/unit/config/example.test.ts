// config.example.json is what docs/operations.md tells people to start from: it must load as it
// stands, with every section of running in production in it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { resolveConfig } from '../../../server/src/config/load.ts';

test('config.example.json is a valid configuration', async () => {
  const text = await readFile(new URL('../../../config.example.json', import.meta.url), 'utf8');
  const config = await resolveConfig(JSON.parse(text));
  assert.equal(config.basePath, '/shell');
  assert.deepEqual(config.trustedProxies, ['127.0.0.1']);
  assert.equal(config.auth.proxy?.userHeader, 'x-forwarded-user');
  assert.equal(config.metrics.listen?.host, '127.0.0.1');
  assert.ok(config.tokens.some((token) => token.metrics === true));
});

test('basePath: a trailing slash is dropped; anything but a path is refused by name', async () => {
  assert.equal((await resolveConfig({ basePath: '/ops/shell/' })).basePath, '/ops/shell');
  assert.equal((await resolveConfig({})).basePath, '');
  await assert.rejects(resolveConfig({ basePath: 'shell' }), /basePath: expected a path like "\/shell"/);
  await assert.rejects(resolveConfig({ basePath: '/a b' }), /basePath/);
});

test('trustedProxies: addresses, ranges and names; anything else is refused by name', async () => {
  const config = await resolveConfig({ trustedProxies: ['10.0.0.0/8', '::1', 'loopback'] });
  assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '::1', 'loopback']);
  await assert.rejects(
    resolveConfig({ trustedProxies: ['proxy.example'] }),
    /trustedProxies\.0: expected an IP address/,
  );
});
