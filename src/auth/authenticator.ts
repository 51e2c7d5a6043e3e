// PasswordAuthenticator: the SASL PLAIN exchange the native transport runs after STARTUP
// (src/protocol/handler.ts's Authenticator, matched structurally: auth sits below the protocol
// layer, so the node passes in the class name and the PLAIN token parser). One AUTH_RESPONSE
// carrying \0user\0password either succeeds or fails with AuthenticationError.

import { AuthenticationError } from '../util/errors.js';
import type { AuthService } from './service.js';

type SaslStep = { kind: 'challenge'; token: Buffer | null } | { kind: 'success'; user: string; token: Buffer | null };

export interface PasswordAuthenticatorOptions {
  auth: AuthService;
  /** Sent in AUTHENTICATE: org.apache.cassandra.auth.PasswordAuthenticator (drivers pick PLAIN from it). */
  className: string;
  /** Parses a PLAIN token; null when it is not of that shape. */
  parsePlain(token: Buffer | null): { user: string; password: string } | null;
}

export class PasswordAuthenticator {
  readonly className: string;
  /** The user name each connection last tried (for the audit log's LOGIN_ERROR entries). */
  private readonly attempted = new WeakMap<object, string>();

  constructor(private readonly opts: PasswordAuthenticatorOptions) {
    this.className = opts.className;
  }

  requireAuthentication(): boolean {
    return true;
  }

  newSaslNegotiator(client: object): { evaluateResponse(token: Buffer | null): Promise<SaslStep> } {
    return {
      evaluateResponse: async (token) => {
        const creds = this.opts.parsePlain(token);
        if (creds === null) throw new AuthenticationError('Authentication ID must not be null; expected a SASL PLAIN token (\\0user\\0password)');
        this.attempted.set(client, creds.user);
        await this.opts.auth.login(creds.user, creds.password);
        return { kind: 'success', user: creds.user, token: null };
      },
    };
  }

  /** The user name a connection last presented, or undefined. */
  attemptedUser(client: object): string | undefined {
    return this.attempted.get(client);
  }
}

/** An audit-log AUTH entry for one login outcome (Cassandra's LOGIN_SUCCESS / LOGIN_ERROR). */
export function loginAuditEntry(e: { client: { remoteAddress: string; remotePort: number }; user: string; success: boolean; message?: string }, host: string) {
  return {
    user: e.user, host, source: e.client.remoteAddress, sourcePort: e.client.remotePort,
    category: 'AUTH' as const,
    type: e.success ? 'LOGIN_SUCCESS' : 'LOGIN_ERROR',
    operation: e.success ? 'LOGIN SUCCESSFUL' : `LOGIN FAILURE; ${e.message ?? 'unknown reason'}`,
  };
}
