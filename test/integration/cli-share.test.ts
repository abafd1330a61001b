// `shellgate share` run as operators run it — a child process against a real gateway: the link it
// prints opens the session in the asked role for the asked time; refusals exit 255 with one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createShareResponseSchema, openShareResponseSchema } from '@shellgate/shared';
import { runCli } from '../helpers/cli-client.ts';
import { useGateway } from '../helpers/fixture.ts';
import { api } from '../helpers/http.ts';

const gateway = useGateway();

test('share prints a view link that opens the session, for an hour by default', async () => {
  const session = await gateway.createSession({ profile: 'cat' });
  const run = await runCli(['share', session.id], { url: gateway.url, token: gateway.operatorToken });
  assert.equal(run.status, 0, run.stderr.toString());
  const url = run.stdout.toString();
  assert.match(url, new RegExp(`^${gateway.url}/#share=[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}\\n$`));
  assert.match(run.stderr.toString(), new RegExp(`^shellgate: view link to ${session.id}, expires \\S+\\n$`));
  const opened = await api(gateway.url, 'POST', '/api/share/open', {
    body: { link: url.trim() },
    origin: gateway.origin,
  });
  assert.equal(opened.status, 200, opened.text);
  const answer = openShareResponseSchema.parse(opened.body);
  assert.equal(answer.session, session.id);
  assert.equal(answer.mode, 'view');
  const left = Date.parse(answer.expiresAt) - Date.now();
  assert.ok(left > 3500_000 && left <= 3600_000, `expires in ${left} ms`);
});

test('share --control --ttl --json prints the gateway answer with a control link of that life', async () => {
  const session = await gateway.createSession({ profile: 'cat' });
  const run = await runCli(['share', '--control', '--ttl', '120', '--json', session.id], {
    url: gateway.url,
    token: gateway.operatorToken,
  });
  assert.equal(run.status, 0, run.stderr.toString());
  assert.equal(run.stderr.length, 0);
  const answer = createShareResponseSchema.parse(JSON.parse(run.stdout.toString()));
  assert.equal(answer.share.mode, 'control');
  assert.equal(answer.share.session, session.id);
  assert.equal(Date.parse(answer.share.expiresAt) - Date.parse(answer.share.createdAt), 120_000);
  assert.equal(answer.url, `${gateway.url}/#share=${answer.link}`);
});

test('share refusals exit with 255 and one line naming the cause', async () => {
  const session = await gateway.createSession({ profile: 'cat' });
  const byViewer = await runCli(['share', session.id], { url: gateway.url, token: gateway.viewerToken });
  assert.equal(byViewer.status, 255);
  assert.match(byViewer.stderr.toString(), /^shellgate: [^\n]*FORBIDDEN[^\n]*\n$/);
  const badTtl = await runCli(['share', '--ttl', 'soon', session.id], {
    url: gateway.url,
    token: gateway.operatorToken,
  });
  assert.equal(badTtl.status, 255);
  assert.match(badTtl.stderr.toString(), /invalid --ttl "soon"/);
  const missing = await runCli(['share'], { url: gateway.url, token: gateway.operatorToken });
  assert.equal(missing.status, 255);
  assert.match(missing.stderr.toString(), /missing session ID\nusage: shellgate share/);
});
