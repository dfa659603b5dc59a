/**
 * The /v1 API described as OpenAPI 3.1 (JSON Schema 2020-12), served at
 * /v1/openapi.json. test/e2e/provisioning-api.test.ts keeps it true: every
 * route the router registers is here and everything here is routed, and
 * every JSON response of the route tests validates against its schema.
 */
import { E } from '../controller/errors.js';
import { VARIABLE_NAMES } from './render/variables.js';

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });
const nullableRef = (name: string): Schema => ({ anyOf: [ref(name), { type: 'null' }] });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});
const items = (s: Schema): Schema => obj({ items: arr(s) });

const variableSchemas: Record<string, Schema> = {
  ssid: { type: 'string', minLength: 1, description: '1 to 32 octets (UTF-8)' },
  countryCode: { type: 'string', pattern: '^[A-Z]{2}$' },
  timezone: { type: 'string', description: 'POSIX TZ, e.g. CET-1CEST,M3.5.0,M10.5.0/3' },
  zonename: { type: 'string', description: 'e.g. Europe/Paris' },
  portalUrl: { type: ['string', 'null'], description: 'http(s) URL; {municipality} is replaced by the slug. Default: WFC_PORTAL_PUBLIC_URL' },
  walledGarden: arr({ type: 'string', description: 'a DNS host name' }),
  guestAddress: { type: 'string', description: 'gateway address and prefix of the guest network, e.g. 10.64.0.1/22' },
  secureAddress: { type: 'string', description: 'same, for the WPA2-Enterprise network' },
  dnsServers: arr(str),
  channel2g: { anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 1, maximum: 13 }] },
  channel5g: { anyOf: [{ const: 'auto' }, { type: 'integer' }] },
  htmode2g: { enum: ['HT20', 'HT40'] },
  htmode5g: { enum: ['VHT20', 'VHT40', 'VHT80', 'HE20', 'HE40', 'HE80'] },
  txPower: { type: ['integer', 'null'], minimum: 1, maximum: 30 },
  maxClients: { type: 'integer', minimum: 1, maximum: 512 },
  leaseTime: { type: 'integer', minimum: 120, maximum: 86400 },
};

const ssidSpec = obj({ ssid: nullable(str), security: { enum: ['open', 'wpa2-enterprise'] }, hidden: bool, captivePortal: bool });
const apInputProperties: Record<string, Schema> = {
  mac: { type: 'string', description: 'any common notation; stored as aa:bb:cc:dd:ee:ff' },
  name: str,
  model: nullable(str),
  serial: nullable(str),
  vendor: nullable(str),
  site: nullable(str),
  latitude: { type: ['number', 'null'], minimum: -90, maximum: 90 },
  longitude: { type: ['number', 'null'], minimum: -180, maximum: 180 },
  placement: { enum: ['indoor', 'outdoor'] },
  nasIdentifier: { ...nullable(str), description: 'default <municipality>-<mac without colons>' },
  firmware: { enum: ['openwrt', 'hostapd', 'generic'] },
  gateway: { enum: ['municipality', 'none', 'opennds', 'coovachilli'] },
  radiusClientId: nullable(str),
  bands: arr({ enum: ['2g', '5g'] }),
  ssids: arr({ ...ssidSpec, required: [] }),
  variables: ref('Variables'),
};

const configStatus = obj({
  version: nullable(int),
  checksum: nullable(str),
  publishedAt: nullable(dateTime),
  status: { enum: ['pending', 'applied', 'error'] },
  appliedVersion: nullable(int),
  appliedAt: nullable(dateTime),
  error: { anyOf: [obj({ version: int, message: str, at: nullable(dateTime) }), { type: 'null' }] },
});
const agentStatus = obj({ enrolledAt: nullable(dateTime), lastSeenAt: nullable(dateTime), online: bool, info: { type: ['object', 'null'], additionalProperties: str } });

const tokenProps = { id: str, name: str, role: { enum: ['admin', 'municipal-rw', 'municipal-ro'] }, tenant: nullable(str), createdAt: dateTime, revokedAt: nullable(dateTime) };
const summary = { version: int, checksum: str, reason: str, actor: str, createdAt: dateTime };

const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: { enum: Object.values(E).map((d) => d.code) }, message: str, fields: arr(ref('FieldIssue')) }, ['code', 'message']) }),
  FieldIssue: obj({ field: str, message: str }),
  Variables: obj(Object.fromEntries(VARIABLE_NAMES.map((n) => [n, variableSchemas[n] ?? {}])), []),
  AccessPointInput: obj(apInputProperties, ['mac', 'name']),
  AccessPointPatch: obj(apInputProperties, []),
  AccessPoint: obj({
    id: str,
    ...Object.fromEntries(Object.entries(apInputProperties).map(([k, v]) => [k, k === 'ssids' ? arr(ssidSpec) : v])),
    createdAt: dateTime,
    updatedAt: dateTime,
    config: ref('ConfigStatus'),
    agent: ref('AgentStatus'),
  }),
  ConfigStatus: configStatus,
  AgentStatus: agentStatus,
  Enrolment: obj({ token: { type: 'string', description: 'wfce_…, shown once' }, expiresAt: dateTime }),
  VersionSummary: obj(summary),
  Version: obj({ ...summary, files: arr(ref('File')) }),
  File: obj({ path: str, content: { type: 'string', description: 'secrets masked as ********' } }),
  Published: obj({ apId: str, version: int }),
  RenderProblem: obj({ apId: str, issues: arr(ref('FieldIssue')) }),
  Token: obj(tokenProps),
  TokenCreated: obj({ ...tokenProps, token: { type: 'string', description: 'wfc_…, shown once' } }),
  AuditEvent: obj({ id: str, at: dateTime, actor: str, action: str, target: str, before: {}, after: {} }),
  Rotation: obj({ id: str, clientId: str, startedAt: dateTime, completedAt: nullable(dateTime), pendingApIds: arr(str) }),
  ImportRow: obj({
    line: int,
    mac: nullable(str),
    status: { enum: ['created', 'valid', 'error'] },
    id: nullable(str),
    enrolmentToken: nullable(str),
    enrolmentExpiresAt: nullable(dateTime),
    errors: arr(ref('FieldIssue')),
  }),
};

interface Op {
  readonly summary: string;
  readonly tag: string;
  readonly auth?: 'api' | 'device' | 'none';
  readonly tenantParam?: boolean;
  readonly params?: ReadonlyArray<{ name: string; in: 'path' | 'query'; schema: Schema; description?: string; required?: boolean }>;
  readonly body?: { type: string; schema: Schema; required?: boolean };
  readonly responses: Record<string, { description: string; type?: string; schema?: Schema; headers?: Record<string, Schema>; json?: Schema }>;
  readonly errors: readonly number[];
  readonly description?: string;
}

const idParam = { name: 'id', in: 'path' as const, schema: str, required: true };
const tenantParam: { name: string; in: 'query'; schema: Schema; description: string; required?: boolean } = { name: 'tenant', in: 'query', schema: str, description: "municipality slug: required for a federation-wide (admin) token, optional (own slug only) otherwise" };
const J = 'application/json';

function operation(o: Op): Schema {
  const responses: Record<string, Schema> = {};
  for (const [status, r] of Object.entries(o.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, s]) => [h, { schema: s }])) } : {}),
      ...(r.schema || r.type ? { content: { [r.type ?? J]: { schema: r.schema ?? str }, ...(r.json ? { [J]: { schema: r.json } } : {}) } } : {}),
    };
  }
  const errorText: Record<number, string> = {
    400: 'Invalid input: `fields` names each field',
    401: 'No valid credential',
    403: 'The role does not allow it',
    404: 'Not found, or another municipality’s',
    409: 'Conflict',
    413: 'Body too large',
    415: 'Wrong body type',
  };
  for (const s of o.errors) responses[String(s)] = { description: errorText[s] ?? 'Error', content: { [J]: { schema: ref('Error') } } };
  const params = [...(o.tenantParam ? [tenantParam] : []), ...(o.params ?? [])].map((p) => ({ ...p, required: p.in === 'path' ? true : (p.required ?? false) }));
  return {
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    tags: [o.tag],
    security: o.auth === 'none' ? [] : [{ [o.auth === 'device' ? 'deviceKey' : 'apiToken']: [] }],
    ...(params.length ? { parameters: params } : {}),
    ...(o.body ? { requestBody: { required: o.body.required ?? true, content: { [o.body.type]: { schema: o.body.schema } } } } : {}),
    responses,
  };
}

const A = (o: Omit<Op, 'auth'>): Op => ({ auth: 'api', tenantParam: true, ...o });
const jsonBody = (schema: Schema) => ({ type: J, schema });
const published = obj({ variables: ref('Variables'), published: arr(ref('Published')), problems: arr(ref('RenderProblem')) });
const apErr = [400, 401, 403, 404];

/** Paths are relative to the server URL `/v1`. */
const paths: Record<string, Record<string, Op>> = {
  '/openapi.json': { get: { summary: 'This document', tag: 'meta', auth: 'none', responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } }, errors: [] } },
  '/ca.pem': { get: { summary: "The federation CA's certificate (PEM), to trust device certificates", tag: 'meta', auth: 'none', responses: { 200: { description: 'PEM', type: 'application/x-pem-file' } }, errors: [] } },
  '/access-points': {
    get: A({ summary: "The municipality's access points, by name then MAC", tag: 'access points', responses: { 200: { description: 'List', schema: items(ref('AccessPoint')) } }, errors: [400, 401, 404] }),
    post: A({
      summary: 'Register an access point; returns its one-time enrolment token',
      description: 'The MAC is normalised and unique in the federation (409 otherwise). The first configuration version is published when the AP can be rendered; otherwise `renderIssues` says why.',
      tag: 'access points',
      body: jsonBody(ref('AccessPointInput')),
      responses: { 201: { description: 'Registered', schema: obj({ accessPoint: ref('AccessPoint'), enrolment: ref('Enrolment'), renderIssues: arr(ref('FieldIssue')) }), headers: { Location: str } } },
      errors: [400, 401, 403, 404, 409, 413, 415],
    }),
  },
  '/access-points/import': {
    post: A({
      summary: 'Register access points from CSV, with a per-row report',
      description: 'Header line required; columns mac, name, model, serial, vendor, site, latitude, longitude, placement, nas_identifier, firmware, gateway, bands. Each row is its own transaction. `?dryRun=true` validates only.',
      tag: 'access points',
      params: [{ name: 'dryRun', in: 'query', schema: { enum: ['true', 'false', '1', '0'] } }],
      body: { type: 'text/csv', schema: str },
      responses: { 200: { description: 'Report', schema: obj({ created: int, failed: int, rows: arr(ref('ImportRow')) }) } },
      errors: [400, 401, 403, 404, 413, 415],
    }),
  },
  '/access-points/{id}': {
    get: A({ summary: 'One access point, with its configuration and agent status', tag: 'access points', params: [idParam], responses: { 200: { description: 'The AP', schema: ref('AccessPoint') } }, errors: apErr }),
    patch: A({
      summary: 'Change an access point (fields not given keep their value; `variables` and `ssids` are replaced whole)',
      tag: 'access points',
      params: [idParam],
      body: jsonBody(ref('AccessPointPatch')),
      responses: { 200: { description: 'Changed', schema: obj({ accessPoint: ref('AccessPoint'), renderIssues: arr(ref('FieldIssue')) }) } },
      errors: [400, 401, 403, 404, 409, 413, 415],
    }),
    delete: A({ summary: 'Remove an access point, its versions and credentials', tag: 'access points', params: [idParam], responses: { 204: { description: 'Removed' } }, errors: apErr }),
  },
  '/access-points/{id}/enrolment': {
    post: A({ summary: 'A new one-time enrolment token (re-enrolment); an unused older one stops working', tag: 'access points', params: [idParam], responses: { 201: { description: 'Token, shown once', schema: ref('Enrolment') } }, errors: apErr }),
  },
  '/access-points/{id}/status': {
    get: A({ summary: 'Configuration status (pending, applied, error) and agent liveness', tag: 'access points', params: [idParam], responses: { 200: { description: 'Status', schema: obj({ config: ref('ConfigStatus'), agent: ref('AgentStatus') }) } }, errors: apErr }),
  },
  '/access-points/{id}/config': {
    get: A({ summary: 'The current configuration version (secrets masked)', tag: 'configuration', params: [idParam], responses: { 200: { description: 'Version', schema: ref('Version') } }, errors: apErr }),
  },
  '/access-points/{id}/config/versions': {
    get: A({ summary: 'Version history, newest first', tag: 'configuration', params: [idParam, { name: 'limit', in: 'query', schema: { type: 'string', pattern: '^\\d+$' } }], responses: { 200: { description: 'History', schema: items(ref('VersionSummary')) } }, errors: apErr }),
  },
  '/access-points/{id}/config/versions/{version}': {
    get: A({ summary: 'One version (secrets masked)', tag: 'configuration', params: [idParam, { name: 'version', in: 'path', schema: str }], responses: { 200: { description: 'Version', schema: ref('Version') } }, errors: apErr }),
  },
  '/access-points/{id}/config/diff': {
    get: A({
      summary: 'Unified diff between two versions (default: the current one and the one before)',
      tag: 'configuration',
      params: [idParam, { name: 'from', in: 'query', schema: str }, { name: 'to', in: 'query', schema: str }],
      responses: { 200: { description: 'diff -u format, secrets masked; empty when equal', type: 'text/x-diff' } },
      errors: apErr,
    }),
  },
  '/access-points/{id}/config/rollback': {
    post: A({
      summary: "Publish an old version's content again, as a new version",
      tag: 'configuration',
      params: [idParam],
      body: jsonBody(obj({ version: int })),
      responses: { 201: { description: 'Published', schema: obj({ published: ref('VersionSummary') }) }, 200: { description: 'Same as the current version: nothing published', schema: obj({ published: { type: 'null' } }) } },
      errors: [400, 401, 403, 404, 413, 415],
    }),
  },
  '/access-points/{id}/config/publish': {
    post: A({
      summary: 'Render from the current settings and publish if it changed',
      tag: 'configuration',
      params: [idParam],
      responses: { 200: { description: 'Published, or null when unchanged', schema: obj({ published: nullableRef('VersionSummary') }) } },
      errors: [400, 401, 403, 404, 409],
    }),
  },
  '/access-points/{id}/config/preview': {
    get: A({
      summary: 'Render without publishing, for any firmware',
      tag: 'configuration',
      params: [idParam, { name: 'firmware', in: 'query', schema: { enum: ['openwrt', 'hostapd', 'generic'] } }],
      responses: { 200: { description: 'Files', schema: obj({ firmware: str, checksum: str, files: arr(ref('File')) }) } },
      errors: [400, 401, 403, 404, 409],
    }),
  },
  '/config/publish': {
    post: A({
      summary: "Render every access point of the municipality and publish what changed (after adding a RADIUS client with the CLI, say)",
      tag: 'configuration',
      responses: { 200: { description: 'Published', schema: obj({ published: arr(obj({ apId: str, ...summary })), problems: arr(ref('RenderProblem')) }) } },
      errors: [400, 401, 403, 404],
    }),
  },
  '/inventory.csv': {
    get: A({ summary: 'Inventory with the WiFi4EU installation-report fields, as CSV', tag: 'inventory', responses: { 200: { description: 'CSV (RFC 4180)', type: 'text/csv' } }, errors: [400, 401, 404] }),
  },
  '/inventory.geojson': {
    get: A({ summary: 'Inventory as GeoJSON (RFC 7946): one Point per AP with coordinates', tag: 'inventory', responses: { 200: { description: 'FeatureCollection', type: 'application/geo+json', schema: { type: 'object' } } }, errors: [400, 401, 404] }),
  },
  '/variables': {
    get: A({ summary: "The municipality's variables", tag: 'variables', responses: { 200: { description: 'Variables', schema: obj({ variables: ref('Variables') }) } }, errors: [400, 401, 404] }),
    put: A({ summary: "Replace the municipality's variables and republish its APs", tag: 'variables', body: jsonBody(ref('Variables')), responses: { 200: { description: 'Done', schema: published } }, errors: [400, 401, 403, 404, 413, 415] }),
  },
  '/federation/variables': {
    get: { summary: "The federation's variables", tag: 'variables', auth: 'api', responses: { 200: { description: 'Variables', schema: obj({ variables: ref('Variables') }) } }, errors: [401] },
    put: { summary: "Replace the federation's variables (admin) and republish every AP", tag: 'variables', auth: 'api', body: jsonBody(ref('Variables')), responses: { 200: { description: 'Done', schema: published } }, errors: [400, 401, 403, 413, 415] },
  },
  '/radius-secret-rotations': {
    get: A({ summary: "The municipality's RADIUS secret rotations", tag: 'radius secrets', responses: { 200: { description: 'Rotations', schema: items(ref('Rotation')) } }, errors: [400, 401, 404] }),
    post: A({
      summary: 'Rotate a RADIUS client secret with overlap',
      description:
        'A new secret is published to every AP using the client; the RADIUS server accepts the old and the new one until each AP has reported a version with the new one applied, then the new one replaces it. The new secret is returned once, for gateways configured by hand; when no provisioned AP carries it, the rotation stays open until completed by hand.',
      tag: 'radius secrets',
      body: jsonBody(obj({ clientId: str })),
      responses: { 201: { description: 'Started', schema: obj({ rotation: ref('Rotation'), newSecret: str, published: arr(ref('Published')), problems: arr(ref('RenderProblem')) }) } },
      errors: [400, 401, 403, 404, 409, 413, 415],
    }),
  },
  '/radius-secret-rotations/{id}/complete': {
    post: A({ summary: 'Complete now: the APs still pending are stranded (recorded in the audit log)', tag: 'radius secrets', params: [idParam], responses: { 200: { description: 'Completed', schema: ref('Rotation') } }, errors: apErr }),
  },
  '/tokens': {
    get: A({ summary: "API tokens of the caller's scope (never their secret)", tag: 'tokens', description: 'An admin token without ?tenant lists the federation-wide tokens.', responses: { 200: { description: 'Tokens', schema: items(ref('Token')) } }, errors: [400, 401, 404] }),
    post: A({
      summary: 'Create a token, shown once',
      tag: 'tokens',
      body: jsonBody(obj({ name: str, role: { enum: ['admin', 'municipal-rw', 'municipal-ro'] } })),
      responses: { 201: { description: 'Created', schema: ref('TokenCreated') } },
      errors: [400, 401, 403, 404, 413, 415],
    }),
  },
  '/tokens/{id}': {
    delete: A({ summary: 'Revoke a token', tag: 'tokens', params: [idParam], responses: { 204: { description: 'Revoked' } }, errors: apErr }),
  },
  '/audit': {
    get: A({ summary: 'Audit log, newest first: who changed what, when, before and after', tag: 'audit', params: [{ name: 'limit', in: 'query', schema: str }], responses: { 200: { description: 'Events', schema: items(ref('AuditEvent')) } }, errors: [400, 401, 404] }),
  },
  '/agent/enrol': {
    post: {
      summary: 'Exchange a one-time enrolment token for a device key (and, on request, a client certificate)',
      tag: 'agent',
      auth: 'none',
      body: jsonBody(obj({ token: str, csr: { type: 'string', description: 'PKCS #10 PEM, RSA ≥ 2048' }, generateKey: bool }, ['token'])),
      responses: {
        201: {
          description: 'Enrolled',
          schema: obj({
            apId: str,
            mac: str,
            municipality: str,
            apiKey: { type: 'string', description: 'wfca_…, shown once' },
            certificate: nullable(str),
            certificateSerial: nullable(str),
            certificateNotAfter: nullable(dateTime),
            privateKey: nullable(str),
            caCertificate: nullable(str),
          }),
        },
      },
      errors: [400, 401, 413, 415],
    },
  },
  '/agent/config': {
    get: {
      summary: 'The configuration bundle; 304 while If-None-Match holds its checksum; `?wait=N` long-polls',
      description:
        'If-None-Match lists the checksum the device runs first, then any it tried and rolled back. With wait > 0 the answer comes as soon as a new version is published, or after N seconds (304).',
      tag: 'agent',
      auth: 'device',
      params: [{ name: 'wait', in: 'query', schema: { type: 'string', pattern: '^\\d+$' }, description: 'seconds, at most WFC_PROVISIONING_MAX_WAIT_SECONDS' }],
      responses: {
        200: {
          description: 'The bundle (see docs/provisioning.md); as JSON with `Accept: application/json`',
          type: 'application/vnd.wfc.bundle',
          headers: { ETag: str, 'X-Config-Version': str },
          json: obj({ version: int, checksum: str, files: arr(ref('File')) }),
        },
        304: { description: 'Unchanged', headers: { ETag: str, 'X-Config-Version': str } },
      },
      errors: [400, 401, 404],
    },
  },
  '/agent/report': {
    post: {
      summary: 'Report a version applied or failed (idempotent)',
      tag: 'agent',
      auth: 'device',
      body: jsonBody(obj({ version: int, status: { enum: ['applied', 'error'] }, message: str }, ['version', 'status'])),
      responses: { 200: { description: 'Recorded', schema: obj({ status: { enum: ['pending', 'applied', 'error'] }, currentVersion: nullable(int), appliedVersion: nullable(int) }) } },
      errors: [400, 401, 404, 413, 415],
    },
  },
  '/agent/heartbeat': {
    post: {
      summary: 'I am alive (every poll counts as one too)',
      tag: 'agent',
      auth: 'device',
      body: { ...jsonBody(obj({ agentVersion: str, firmware: str, model: str, uptime: int }, [])), required: false },
      responses: { 204: { description: 'Seen' } },
      errors: [400, 401, 413, 415],
    },
  },
  '/agent/certificate': {
    get: { summary: "The device's client certificate (PEM)", tag: 'agent', auth: 'device', responses: { 200: { description: 'PEM', type: 'application/x-pem-file' } }, errors: [401, 404] },
  },
};

export function openApiDocument(version: string): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wi-Fi federation controller: provisioning API',
      version,
      description: 'Municipal IT registers access points; agents enrol and long-poll their configuration. Errors come from the catalog (docs/errors.md).',
    },
    servers: [{ url: '/v1' }],
    components: {
      schemas,
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (wfc_…): `wfc token create` or POST /v1/tokens' },
        deviceKey: { type: 'http', scheme: 'bearer', description: 'A device key (wfca_…) from POST /v1/agent/enrol' },
      },
    },
    paths: Object.fromEntries(Object.entries(paths).map(([p, ops]) => [p, Object.fromEntries(Object.entries(ops).map(([m, o]) => [m, operation(o)]))])),
  };
}
