// `--ca FILE`: the client trusts a gateway whose certificate a private CA signed (here the
// self-signed test certificate), on its HTTP calls and on the WebSocket alike — and only then.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli } from '../helpers/cli-client.ts';
import { useGateway } from '../helpers/fixture.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const gateway = useGateway({ config: { tls: { cert: fixture('cert.pem'), key: fixture('key.pem') } } });

test('with --ca the client runs a command over https and wss', async () => {
  assert.match(gateway.url, /^https:/);
  const options = { url: gateway.url, token: gateway.operatorToken, input: '' };
  const result = await runCli(['exec', '--ca', fixture('cert.pem'), 'sh', 'echo secure; exit 2'], options);
  assert.equal(result.status, 2, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'secure\n');
  const listed = await runCli(['ls', '--ca', fixture('cert.pem')], options);
  assert.equal(listed.status, 0, listed.stderr.toString());
});

test('without --ca an untrusted certificate is refused with 255 and one line', async () => {
  const options = { url: gateway.url, token: gateway.operatorToken, input: '' };
  for (const args of [['ls'], ['exec', 'sh', 'true']]) {
    const result = await runCli(args, options);
    assert.equal(result.status, 255);
    assert.match(
      result.stderr.toString(),
      /^shellgate: cannot reach the gateway at https:[^\n]*certificate[^\n]*\n$/,
    );
  }
});
