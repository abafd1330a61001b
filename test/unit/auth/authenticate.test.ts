// Deciding who is asking from a real request object: a bearer token or the login cookie, and the
// refusal codes when neither holds or the address has guessed too often.
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { ErrorCode } from '@shellgate/shared';
import { Authenticator, authenticateLimited } from '../../../server/src/auth/authenticate.ts';
import { COOKIE_NAME, LoginStore } from '../../../server/src/auth/logins.ts';
import { FailureLimiter } from '../../../server/src/auth/rate-limit.ts';
import { TokenStore } from '../../../server/src/auth/tokens.ts';
import { ShareStore } from '../../../server/src/shares/store.ts';

const TOKEN = 'operator-token-0123456789';

function request(headers: Record<string, string>): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  Object.assign(message.headers, headers);
  return message;
}

function authenticator(): Authenticator {
  return new Authenticator(
    new TokenStore([{ name: 'ops', token: TOKEN, role: 'operator' }]),
    new LoginStore(60_000),
    new ShareStore({ enabled: true, maxTtlSeconds: 3600, maxPerSession: 5 }, () => undefined),
  );
}

test('a bearer token authenticates as its principal', () => {
  const result = authenticator().authenticate(request({ authorization: `Bearer ${TOKEN}` }));
  assert.deepEqual(result, {
    ok: true,
    credential: { principal: { name: 'ops', role: 'operator', scope: 'own' }, via: 'bearer' },
  });
});

test('the login cookie authenticates among other cookies, carrying its login id', () => {
  const auth = authenticator();
  const id = auth.logins.create({ name: 'ops', role: 'operator', scope: 'own' });
  const result = auth.authenticate(request({ cookie: `theme=dark; ${COOKIE_NAME}=${id}; other=1` }));
  assert.ok(result.ok);
  assert.deepEqual(result.credential, {
    principal: { name: 'ops', role: 'operator', scope: 'own' },
    via: 'cookie',
    loginId: id,
  });
});

test('each failure says why: malformed header, unknown token, expired login, nothing sent', () => {
  const auth = authenticator();
  assert.deepEqual(auth.authenticate(request({ authorization: `Basic ${TOKEN}` })), {
    ok: false,
    reason: 'the Authorization header must be "Bearer <token>"',
  });
  assert.deepEqual(auth.authenticate(request({ authorization: 'Bearer wrong' })), {
    ok: false,
    reason: 'unknown token',
  });
  assert.deepEqual(auth.authenticate(request({ cookie: `${COOKIE_NAME}=forged` })), {
    ok: false,
    reason: 'the login has expired or was logged out',
  });
  assert.deepEqual(auth.authenticate(request({ cookie: `${COOKIE_NAME}=` })), {
    ok: false,
    reason: 'authentication required: log in or send "Authorization: Bearer <token>"',
  });
});

test('a wrong Authorization header never falls back to a valid cookie', () => {
  const auth = authenticator();
  const id = auth.logins.create({ name: 'ops', role: 'operator', scope: 'own' });
  const result = auth.authenticate(
    request({ authorization: 'Bearer wrong', cookie: `${COOKIE_NAME}=${id}` }),
  );
  assert.equal(result.ok, false);
});

test('failed bearer tokens are refused with UNAUTHORIZED until the address is limited, then RATE_LIMITED', async () => {
  const auth = authenticator();
  const failures = new FailureLimiter(2);
  const wrong = async (): Promise<unknown> => {
    const result = await authenticateLimited(auth, failures, request({ authorization: 'Bearer wrong' }));
    return result.ok ? 'ok' : result.code;
  };
  assert.deepEqual(
    [await wrong(), await wrong(), await wrong()],
    [ErrorCode.Unauthorized, ErrorCode.Unauthorized, ErrorCode.RateLimited],
  );
  const right = await authenticateLimited(auth, failures, request({ authorization: `Bearer ${TOKEN}` }));
  assert.equal(
    right.ok ? 'ok' : right.code,
    ErrorCode.RateLimited,
    'even a right token waits out the window',
  );
  const cookie = await authenticateLimited(auth, failures, request({ cookie: `${COOKIE_NAME}=forged` }));
  assert.equal(cookie.ok ? 'ok' : cookie.code, ErrorCode.Unauthorized, 'cookies are not limited');
});
