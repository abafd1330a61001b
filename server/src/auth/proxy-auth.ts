// Single sign-on through an authenticating proxy (oauth2-proxy, Authelia, a corporate SSO gateway):
// the proxy signs the user in and names them, and their groups, in request headers. Those headers
// are believed only from a trusted proxy's address — anyone else could type them — and a user
// signs in only with a role that auth.proxy.users or auth.proxy.groups gives them.
import type { IncomingMessage } from 'node:http';
import type { ProxyAuthConfig } from '../config/production.js';
import type { ProxyTrust } from '../proxy/trust.js';
import type { Principal } from './principal.js';

/** A user name from the header: what logs, audit records and `owner` fields will show. */
const USER_NAME = /^[\x21-\x7e]{1,64}$/;
const MAX_GROUPS_HEADER = 4096;

export type ProxyAuthResult = { ok: true; principal: Principal } | { ok: false; reason: string };

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export class ProxyAuthenticator {
  constructor(
    private readonly config: ProxyAuthConfig,
    private readonly trust: ProxyTrust,
  ) {}

  /** Undefined when the request carries no user header (another credential may apply). */
  identify(request: IncomingMessage): ProxyAuthResult | undefined {
    const user = headerValue(request, this.config.userHeader);
    if (user === undefined) return undefined;
    if (!this.trust.fromTrustedProxy(request)) {
      return {
        ok: false,
        reason: `the ${this.config.userHeader} header is believed only from a trusted proxy (trustedProxies)`,
      };
    }
    const name = user.trim();
    if (!USER_NAME.test(name)) {
      return {
        ok: false,
        reason: `the ${this.config.userHeader} header is not a user name (1 to 64 visible characters)`,
      };
    }
    const grant = Object.hasOwn(this.config.users, name)
      ? this.config.users[name]
      : this.#groupGrant(request);
    if (grant === undefined) {
      return {
        ok: false,
        reason: `user ${JSON.stringify(name)} has no role: list it in auth.proxy.users, or one of its groups in auth.proxy.groups`,
      };
    }
    const scope = grant.scope ?? (grant.role === 'viewer' ? 'all' : 'own');
    return { ok: true, principal: { name, role: grant.role, scope } };
  }

  /** The grant of the first configured group the user is in, per the groups header. */
  #groupGrant(request: IncomingMessage): ProxyAuthConfig['groups'][number] | undefined {
    const header = this.config.groupsHeader;
    if (header === undefined) return undefined;
    const value = headerValue(request, header);
    if (value === undefined || value.length > MAX_GROUPS_HEADER) return undefined;
    const groups = new Set(value.split(this.config.groupsSeparator).map((group) => group.trim()));
    return this.config.groups.find((grant) => groups.has(grant.group));
  }
}
