// One session cannot reach another's terminal: no process of a session inherits the master side
// of a terminal the gateway holds for another session (docs/security.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useGateway } from '../helpers/fixture.ts';
import { api } from '../helpers/http.ts';
import { createSession, sh } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';

const gateway = useGateway();

test('a pipe session started while a terminal session is open holds no terminal master', async () => {
  const shell = await createSession(gateway, 'shell');
  const terminal = await connect(gateway.url, shell.id, { token: gateway.operatorToken, offset: 0 });
  try {
    await terminal.waitForOutput((text) => text.includes('$ '));
    const lister = await sh(gateway, 'ls -l /proc/self/fd');
    const listing = await connect(gateway.url, lister.id, { token: gateway.operatorToken, offset: 0 });
    try {
      assert.deepEqual(await listing.nextMessage('exit'), { type: 'exit', code: 0, signal: null });
      const text = listing.text();
      assert.match(text, /\b0 -> /, 'the listing ran');
      assert.doesNotMatch(text, /\/dev\/ptmx/);
    } finally {
      await listing.close();
    }
  } finally {
    await terminal.close();
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${shell.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200, deleted.text);
  }
});

test('a session inherits no descriptor of the gateway beyond its stdio', async () => {
  const lister = await sh(gateway, 'ls -l /proc/self/fd');
  const listing = await connect(gateway.url, lister.id, { token: gateway.operatorToken, offset: 0 });
  try {
    assert.deepEqual(await listing.nextMessage('exit'), { type: 'exit', code: 0, signal: null });
    const extra = listing
      .text()
      .split('\n')
      .flatMap((line) => {
        const match = / (\d+) -> (.*)$/.exec(line);
        return match?.[1] !== undefined && Number(match[1]) > 2 ? [`${match[1]} -> ${match[2]}`] : [];
      })
      // ls's own handle on the directory it lists.
      .filter((entry) => !/-> \/proc\/\d+\/fd$/.test(entry));
    assert.deepEqual(extra, []);
  } finally {
    await listing.close();
  }
});
