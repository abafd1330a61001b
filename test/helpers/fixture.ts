// The set-up every integration file shares: a real gateway started before the file's tests and
// stopped after them, and then the proof that no process of any session it ran is left behind.
//
//   const gateway = useGateway({ config: { limits: { maxClientsPerSession: 3 } } });
//   test('…', async () => {
//     const session = await gateway.createSession({ profile: 'cat' });
//     const response = await gateway.api('GET', `/api/sessions/${session.id}`);
//   });
//
// The handle is usable as a `Gateway` (url, tokens, stop, …) once the before hook has run: the
// file's tests can pass it wherever a Gateway is expected.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { sessionInfoSchema } from '@shellgate/shared';
import type { CreateSessionRequest, SessionInfo } from '@shellgate/shared';
import { startGateway } from './gateway.ts';
import type { Gateway, StartGatewayOptions } from './gateway.ts';
import { api, get } from './http.ts';
import type { ApiOptions, ApiResponse } from './http.ts';
import { waitForGroupsGone } from './leaks.ts';
import { startedGroups } from './sessions.ts';

export interface FixtureOptions extends StartGatewayOptions {
  /**
   * Process groups that must be gone once the gateway has stopped; by default those of every
   * session created through helpers/sessions.ts or this fixture. Read when the file ends.
   */
  groups?: Iterable<number>;
}

/** A gateway for one test file, with calls that authenticate as its operator unless told otherwise. */
export interface GatewayFixture extends Gateway {
  /** An HTTP call to this gateway, as the operator unless `options.token` names another token. */
  api(method: string, path: string, options?: ApiOptions): Promise<ApiResponse>;
  /** POST /api/sessions (201 asserted); the session's process group is checked at the end. */
  createSession(request: CreateSessionRequest, token?: string): Promise<SessionInfo>;
}

/** Starts a gateway before the file's tests and stops it after them, then checks for leftovers. */
export function useGateway(options: FixtureOptions = {}): GatewayFixture {
  let started: Gateway | undefined;
  const { groups = startedGroups, ...startOptions } = options;
  const current = (): Gateway => {
    if (started === undefined) throw new Error('the gateway is used before its before() hook ran');
    return started;
  };

  before(async () => {
    started = await startGateway(startOptions);
  });

  after(async () => {
    await started?.stop();
    assert.deepEqual(await waitForGroupsGone(groups), [], 'no process of any session is left');
  });

  const fixture: GatewayFixture = {
    get url() {
      return current().url;
    },
    get origin() {
      return current().origin;
    },
    get port() {
      return current().port;
    },
    get pid() {
      return current().pid;
    },
    get operatorToken() {
      return current().operatorToken;
    },
    get viewerToken() {
      return current().viewerToken;
    },
    get stdout() {
      return current().stdout;
    },
    get stderr() {
      return current().stderr;
    },
    stop: () => current().stop(),
    api: (method, path, apiOptions = {}) =>
      api(current().url, method, path, { token: current().operatorToken, ...apiOptions }),
    createSession: async (request, token) => {
      const response = await fixture.api('POST', '/api/sessions', {
        body: request,
        token: token ?? current().operatorToken,
      });
      assert.equal(response.status, 201, response.text);
      const session = sessionInfoSchema.parse(get(response.body, 'session'));
      if (session.pid !== null) startedGroups.add(session.pid);
      return session;
    },
  };
  return fixture;
}

/**
 * For files whose tests each need a gateway configured their own way: `start` launches one, and
 * every gateway started is stopped after the file's tests, then checked for leftovers.
 */
export function useGateways(): { start(options?: StartGatewayOptions): Promise<Gateway> } {
  const gateways: Gateway[] = [];
  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    assert.deepEqual(await waitForGroupsGone(startedGroups), [], 'no process of any session is left');
  });
  return {
    async start(options) {
      const gateway = await startGateway(options);
      gateways.push(gateway);
      return gateway;
    },
  };
}
