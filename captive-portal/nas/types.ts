/**
 * One adapter per gateway protocol. An adapter reads the gateway's redirect
 * (`parse`), and after a successful login builds the hand-off back to the
 * gateway (`handoff`). Adapters are pure: no I/O, no clock; results, not
 * exceptions, for anything a peer can get wrong.
 */
import type { GatewayType, PortalSettings } from '../../controller/domain/entities.js';
import type { Mac } from '../../controller/domain/mac.js';

interface CommonContext {
  readonly type: GatewayType;
  /** The client device: what the one-time token and a remembered device are bound to. */
  readonly mac: Mac;
  readonly clientIp: string | null;
  /** The page the citizen asked for before the gateway intercepted it. */
  readonly userUrl: string | null;
  readonly nasId: string | null;
  /** The access point (Called-Station-Id) when the gateway says. */
  readonly called: string | null;
  /**
   * True when the gateway signed its parameters with the municipality's
   * secret (CoovaChilli `md`): only then may a device be remembered, since
   * otherwise a crafted link could bind someone else's MAC to the account.
   */
  readonly authenticated: boolean;
}

export interface CoovaChilliContext extends CommonContext {
  readonly type: 'coovachilli';
  readonly uamip: string;
  readonly uamport: number;
  /** 16 bytes as 32 hex digits. */
  readonly challenge: string;
}

export interface OpenNdsContext extends CommonContext {
  readonly type: 'opennds';
  /** `http://gatewayaddress/authdir/` (level 1) or the `authaction` URL (level 0). */
  readonly authUrl: string;
  /** Level 1: the client's hid, turned into the auth token only after login. */
  readonly hid: string | null;
  /** Level 0: the token the gateway gave in clear. */
  readonly tok: string | null;
}

export interface GenericContext extends CommonContext {
  readonly type: 'generic';
  /** The gateway's own login form URL (MikroTik `link-login-only`). */
  readonly loginUrl: string;
  /** MikroTik CHAP: `chap-id` and `chap-challenge` as hex bytes. */
  readonly chapId: string | null;
  readonly chapChallenge: string | null;
}

export type GatewayContext = CoovaChilliContext | OpenNdsContext | GenericContext;

/** What the gateway says happened, when it redirects back (CoovaChilli `res`). */
export type GatewayEvent = 'login' | 'success' | 'already' | 'failed' | 'logoff';

export type ParseFailure =
  | 'wrong-protocol'
  | 'not-configured'
  | 'missing-param'
  | 'bad-mac'
  | 'bad-address'
  | 'bad-challenge'
  | 'bad-url'
  | 'md-missing'
  | 'md-invalid'
  | 'fas-invalid';

export type ParseResult =
  | { readonly ok: true; readonly ctx: GatewayContext | null; readonly event: GatewayEvent; readonly reply: string | null }
  | { readonly ok: false; readonly reason: ParseFailure };

export interface GatewayRequest {
  /** First value of each query parameter. */
  readonly query: Readonly<Record<string, string>>;
  /** The query string exactly as received (without `?`), for signatures over it. */
  readonly rawQuery: string;
  /** The absolute URLs (without query) the gateway may have used to reach this page. */
  readonly urlBases: readonly string[];
}

export interface Credentials {
  readonly username: string;
  /** The one-time RADIUS token. */
  readonly token: string;
}

export type Handoff =
  | { readonly kind: 'redirect'; readonly url: string }
  /** A POST the browser must make to the gateway (its login form). */
  | { readonly kind: 'form'; readonly action: string; readonly fields: ReadonlyArray<readonly [string, string]> };

export interface GatewayAdapter<C extends GatewayContext = GatewayContext> {
  readonly type: C['type'];
  /** Whether the gateway authenticates with RADIUS (and so needs a one-time token). */
  readonly usesRadius: boolean;
  /** True when the query carries this protocol's parameters. */
  recognises(query: Readonly<Record<string, string>>): boolean;
  parse(req: GatewayRequest, settings: PortalSettings): ParseResult;
  handoff(ctx: C, settings: PortalSettings, cred: Credentials): Handoff;
  /** Where the citizen ends the session at the gateway, if the protocol has such a URL. */
  logoutUrl(ctx: C): string | null;
}
