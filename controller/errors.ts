/**
 * The one error catalog. Each entry: a stable code, an HTTP status and a
 * message template whose `{name}` placeholders come from the error's params.
 * docs/errors.md documents every code (a test keeps the two in step).
 */
import type { FieldIssue } from './domain/validation.js';

export interface ErrorDef {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const def = (code: string, status: number, message: string): ErrorDef => ({ code, status, message });

export const E = {
  VALIDATION: def('WFC_VALIDATION', 400, 'Invalid input: {summary}'),
  BAD_JSON: def('WFC_BAD_JSON', 400, 'The request body is not valid JSON'),
  BODY_TOO_LARGE: def('WFC_BODY_TOO_LARGE', 413, 'The request body is larger than {limit}'),
  UNAUTHENTICATED: def('WFC_UNAUTHENTICATED', 401, 'A valid API token is required'),
  FORBIDDEN: def('WFC_FORBIDDEN', 403, 'This token may not {action}'),
  NOT_FOUND: def('WFC_NOT_FOUND', 404, 'No such resource: {path}'),
  RATE_LIMITED: def('WFC_RATE_LIMITED', 429, 'Too many attempts; try again in {retryAfter} seconds'),
  CONFIG_INVALID: def('WFC_CONFIG_INVALID', 500, 'Invalid configuration: {summary}'),
  FEDERATION_NOT_SET: def('WFC_FEDERATION_NOT_SET', 409, 'The federation has no name or realm yet: run `wfc federation set` or `wfc demo`'),
  TENANT_NOT_FOUND: def('WFC_TENANT_NOT_FOUND', 404, 'Unknown municipality: {tenant}'),
  TENANT_EXISTS: def('WFC_TENANT_EXISTS', 409, 'A municipality with slug {slug} already exists'),
  CLIENT_EXISTS: def('WFC_CLIENT_EXISTS', 409, 'Network {network} is already a RADIUS client of {tenant}'),
  CLIENT_NOT_FOUND: def('WFC_CLIENT_NOT_FOUND', 404, 'Unknown RADIUS client: {client}'),
  IDENTITY_NOT_FOUND: def('WFC_IDENTITY_NOT_FOUND', 404, 'Unknown user: {user}'),
  USERNAME_TAKEN: def('WFC_USERNAME_TAKEN', 409, 'The username {username} is taken'),
  EMAIL_TAKEN: def('WFC_EMAIL_TAKEN', 409, 'The e-mail address is already registered'),
  AP_NOT_FOUND: def('WFC_AP_NOT_FOUND', 404, 'Unknown access point: {ap}'),
  AP_EXISTS: def('WFC_AP_EXISTS', 409, 'An access point with MAC {mac} is already registered'),
  DEVICE_NOT_FOUND: def('WFC_DEVICE_NOT_FOUND', 404, 'Unknown device: {device}'),
  SESSION_NOT_FOUND: def('WFC_SESSION_NOT_FOUND', 404, 'Unknown session: {session}'),
  TOKEN_NOT_FOUND: def('WFC_TOKEN_NOT_FOUND', 404, 'Unknown API token: {token}'),
  PORTAL_BAD_CSRF: def('WFC_PORTAL_BAD_CSRF', 403, 'The form expired or did not come from this portal: reload the page and try again'),
  PORTAL_BAD_GATEWAY: def('WFC_PORTAL_BAD_GATEWAY', 400, 'The gateway parameters are missing or invalid: {reason}'),
  PORTAL_LOGIN_FAILED: def('WFC_PORTAL_LOGIN_FAILED', 401, 'Wrong username, e-mail or password'),
  PORTAL_ACCOUNT_DISABLED: def('WFC_PORTAL_ACCOUNT_DISABLED', 403, 'This account is disabled'),
  PORTAL_TERMS_REQUIRED: def('WFC_PORTAL_TERMS_REQUIRED', 400, 'The terms of use must be accepted to create an account'),
  PORTAL_CODE_INVALID: def('WFC_PORTAL_CODE_INVALID', 400, 'The code is wrong or has expired'),
  PORTAL_CODE_BURNT: def('WFC_PORTAL_CODE_BURNT', 429, 'Too many wrong codes: ask for a new one'),
  PORTAL_CODE_COOLDOWN: def('WFC_PORTAL_CODE_COOLDOWN', 429, 'A code was sent moments ago: ask again in {retryAfter} seconds'),
  PORTAL_CODE_DAILY_CAP: def('WFC_PORTAL_CODE_DAILY_CAP', 429, 'Too many codes were sent today: ask again in {retryAfter} seconds'),
  PORTAL_NOT_SIGNED_IN: def('WFC_PORTAL_NOT_SIGNED_IN', 401, 'Sign in first'),
  UNSUPPORTED_MEDIA_TYPE: def('WFC_UNSUPPORTED_MEDIA_TYPE', 415, 'Expected a {expected} request body'),
  DEVICE_UNAUTHENTICATED: def('WFC_DEVICE_UNAUTHENTICATED', 401, 'A valid device key is required'),
  ENROLMENT_INVALID: def('WFC_ENROLMENT_INVALID', 401, 'The enrolment token is {reason}'),
  CONFIG_VERSION_NOT_FOUND: def('WFC_CONFIG_VERSION_NOT_FOUND', 404, 'Access point {ap} has no configuration version {version}'),
  NO_CONFIG: def('WFC_NO_CONFIG', 404, 'Access point {ap} has no configuration yet'),
  RENDER_FAILED: def('WFC_RENDER_FAILED', 409, 'The configuration of access point {ap} cannot be rendered: {reason}'),
  ROTATION_IN_PROGRESS: def('WFC_ROTATION_IN_PROGRESS', 409, 'A secret rotation for RADIUS client {client} is already in progress'),
  ROTATION_NOT_FOUND: def('WFC_ROTATION_NOT_FOUND', 404, 'Unknown secret rotation: {rotation}'),
  LEGAL_HOLD_NOT_FOUND: def('WFC_LEGAL_HOLD_NOT_FOUND', 404, 'Unknown legal hold: {hold}'),
  SESSION_NOT_ACTIVE: def('WFC_SESSION_NOT_ACTIVE', 409, 'Session {session} has ended: there is nothing to disconnect or change'),
  NAS_NOT_A_CLIENT: def('WFC_NAS_NOT_A_CLIENT', 409, 'No RADIUS client of the municipality covers NAS address {address}: its Disconnect/CoA secret and port are unknown'),
  NAT_IMPORT_INVALID: def('WFC_NAT_IMPORT_INVALID', 400, 'NAT log line {line}: {reason}'),
  NAS_TIMEOUT: def('WFC_NAS_TIMEOUT', 504, 'The NAS did not answer the {kind} request for session {session} after {attempts} attempts'),
  NOT_READY: def('WFC_NOT_READY', 503, 'Not ready: {reason}'),
  INTERNAL: def('WFC_INTERNAL', 500, 'Internal error'),
} as const satisfies Record<string, ErrorDef>;

export type ErrorKey = keyof typeof E;

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly params: Readonly<Record<string, string | number>>;
  readonly fields: readonly FieldIssue[];

  constructor(defn: ErrorDef, params: Record<string, string | number> = {}, fields: readonly FieldIssue[] = []) {
    super(render(defn.message, params));
    this.name = 'AppError';
    this.code = defn.code;
    this.status = defn.status;
    this.params = params;
    this.fields = fields;
  }

  toJSON(): { error: { code: string; message: string; fields?: readonly FieldIssue[] } } {
    return { error: { code: this.code, message: this.message, ...(this.fields.length ? { fields: this.fields } : {}) } };
  }
}

export function validationError(fields: readonly FieldIssue[]): AppError {
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new AppError(E.VALIDATION, { summary }, fields);
}

function render(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
