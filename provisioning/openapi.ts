/**
 * The /v1 API described as OpenAPI 3.1 (JSON Schema 2020-12), served at
 * /v1/openapi.json: the provisioning router's routes (app.ts) and the
 * operations router's (operations.ts: sessions, legal connection log).
 * test/e2e/provisioning-api.test.ts keeps it true: every route the two
 * routers register is here and everything here is routed, and every JSON
 * response of the route tests (operations-api.test.ts too) validates
 * against its schema.
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
  ...operationsSchemas(),
};

interface Op {
  readonly summary: string;
  readonly tag: string;
  readonly auth?: 'api' | 'device' | 'none';
  readonly tenantParam?: boolean;
  readonly params?: ReadonlyArray<{ name: string; in: 'path' | 'query'; schema: Schema; description?: string; required?: boolean }>;
  /** `type` may list several media types sharing the schema (a NAT log as CSV or JSON). */
  readonly body?: { type: string | readonly string[]; schema: Schema; required?: boolean };
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
    ...(o.body ? { requestBody: { required: o.body.required ?? true, content: Object.fromEntries([o.body.type].flat().map((t) => [t, { schema: o.body!.schema }])) } } : {}),
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
  ...operationsPaths(),
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
      title: 'Wi-Fi federation controller: provisioning and operations API',
      version,
      description:
        "Municipal IT registers access points; agents enrol and long-poll their configuration; operators act on live sessions (Disconnect, CoA) and answer judicial requests from the legal connection log. Errors come from the catalog (docs/errors.md).",
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

/* ------------------------------------------------ the operations router's routes */

function operationsSchemas(): Record<string, Schema> {
  const nat = obj({ publicIp: str, portStart: int, portEnd: int, from: dateTime, to: nullable(dateTime), source: { enum: ['accounting', 'import'] } });
  return {
    Session: obj({
      id: str,
      municipality: { type: 'string', description: "the municipality's slug" },
      acctSessionId: str,
      username: str,
      identityId: { ...nullable(str), description: 'null for sessions of no known identity (MAC authentication, an erased account)' },
      status: { enum: ['active', 'stopped'] },
      startedAt: dateTime,
      updatedAt: { ...dateTime, description: "the NAS's last report" },
      stoppedAt: nullable(dateTime),
      terminateCause: nullable(str),
      sessionTime: { ...int, description: 'seconds, as the NAS last reported' },
      inputOctets: { ...int, description: 'from the citizen' },
      outputOctets: { ...int, description: 'to the citizen' },
      nasIp: str,
      nasIdentifier: nullable(str),
      framedIp: { ...nullable(str), description: "the citizen's address on the municipality's network" },
      apId: nullable(str),
      deviceMac: { ...nullable(str), description: "the citizen's device (Calling-Station-Id), aa:bb:cc:dd:ee:ff" },
    }),
    DynAuthResult: obj({
      outcome: { enum: ['ack', 'nak', 'timeout'], description: 'ack: the NAS did it; nak: it refused (errorCause says why); timeout: no valid answer after every retransmission' },
      errorCause: { ...nullable(int), description: 'RFC 5176 §3.5 Error-Cause the NAS sent, e.g. 503' },
      errorCauseName: { ...nullable(str), description: 'e.g. Session-Context-Not-Found' },
      attempts: { ...int, description: 'requests sent, the first included' },
      durationMs: int,
      invalidReplies: { ...int, description: 'replies dropped (bad authenticator: often a wrong secret)' },
    }),
    SessionAction: obj({ session: { ...ref('Session'), description: 'the session as it was when the request went out; the NAS\'s Accounting Stop closes it' }, result: ref('DynAuthResult') }),
    NasTimeout: obj({ error: obj({ code: { const: 'WFC_NAS_TIMEOUT' }, message: str }), session: ref('Session'), result: ref('DynAuthResult') }),
    CoaChange: obj(
      {
        sessionTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 4294967295, description: 'Session-Timeout from now' },
        downloadBps: { type: 'integer', minimum: 1, maximum: 4294967295, description: 'WISPr and ChilliSpot bandwidth attributes; MikroTik Rate-Limit when both directions are given' },
        uploadBps: { type: 'integer', minimum: 1, maximum: 4294967295 },
      },
      [],
      { minProperties: 1, description: 'at least one change: what is left out stays as it is (RFC 5176 §3.6 Note 3)' },
    ),
    LegalExportInput: obj(
      {
        from: { ...dateTime, description: 'ISO 8601; sessions that overlap [from, to]' },
        to: { ...dateTime, description: 'after from, at most 366 days later' },
        ip: { type: 'string', description: 'IPv4 or IPv6: the assigned address or a NAT public address' },
        port: { type: 'integer', minimum: 0, maximum: 65535, description: 'with ip: the NAT mappings whose port block holds it' },
        identity: { type: 'string', description: "username, e-mail, identity id, or an erased account's identity id" },
        format: { enum: ['csv', 'json'], default: 'csv' },
        reason: { type: 'string', minLength: 10, description: 'why: goes to the audit log' },
        reference: { type: 'string', minLength: 3, description: "the authority's requisition or case reference" },
        limit: { type: 'integer', minimum: 1, maximum: 10000, default: 10000 },
      },
      ['from', 'to', 'reason', 'reference'],
      { description: 'ip or identity (or both) is required' },
    ),
    LegalExportDocument: obj({
      exportedAt: dateTime,
      exportedBy: str,
      reference: str,
      filter: obj({ municipality: nullable(str), from: dateTime, to: dateTime, ip: nullable(str), port: nullable(int), identity: nullable(str) }),
      truncated: { ...bool, description: 'the limit was reached: narrow the filter' },
      sessions: arr(
        obj({
          id: str,
          municipality: str,
          identityId: nullable(str),
          subscriber: { anyOf: [obj({ username: str, email: nullable(str), erasedAt: nullable(dateTime) }), { type: 'null' }] },
          deviceMac: nullable(str),
          accessPoint: nullable(str),
          nasIp: str,
          nasIdentifier: nullable(str),
          assignedIp: nullable(str),
          natMappings: arr(nat),
          startedAt: dateTime,
          stoppedAt: nullable(dateTime),
          inputOctets: int,
          outputOctets: int,
          held: bool,
        }),
      ),
    }),
    LegalExportRecord: obj({
      auditId: str,
      at: dateTime,
      actor: { type: 'string', description: 'token:<id> or cli:<user>' },
      municipality: nullable(str),
      reference: str,
      reason: str,
      format: str,
      via: { type: 'string', description: 'api or cli' },
      sessions: int,
      sha256: { type: 'string', description: 'of the file handed over, hex' },
      filter: { type: 'object' },
    }),
    LegalHoldInput: obj({ reference: { type: 'string', minLength: 3 }, reason: { type: 'string', minLength: 10 }, sessionIds: { ...arr(str), description: '1 to 10000 session ids of the scope' } }),
    LegalHold: obj({
      id: str,
      municipality: { ...nullable(str), description: 'null: a federation-wide hold' },
      reference: str,
      reason: str,
      createdBy: str,
      createdAt: dateTime,
      releasedAt: nullable(dateTime),
      releasedBy: nullable(str),
      sessionIds: arr(str),
    }),
    NatImportResult: obj({
      imported: { ...int, description: 'mappings stored' },
      matched: { ...int, description: 'of those, matched to a session of the municipality' },
      duplicates: { ...int, description: 'lines an earlier import already stored' },
    }),
  };
}

function operationsPaths(): Record<string, Record<string, Op>> {
  const sessionErr = [400, 401, 404];
  const act = (summary: string, body: Op['body'], description: string): Op =>
    A({
      summary,
      description: `${description} The session is looked up in the scope (an admin without ?tenant: anywhere). 200 when the NAS answered, ACK or NAK: \`result.outcome\` says which and \`errorCause\` why it refused. 504 WFC_NAS_TIMEOUT when no valid answer came after every retransmission; the body still carries the session and the result. Every request and its outcome goes to the audit log.`,
      tag: 'sessions',
      params: [idParam],
      ...(body ? { body } : {}),
      responses: {
        200: { description: 'The NAS answered (ack or nak)', schema: ref('SessionAction') },
        504: { description: 'The NAS did not answer', schema: ref('NasTimeout') },
      },
      errors: [400, 401, 403, 404, 409, 413, 415],
    });
  const legalErr = [400, 401, 403, 404];
  return {
    '/sessions': {
      get: A({
        summary: 'Sessions, newest first',
        description: "An admin token without ?tenant lists every municipality's. `user` is a username, e-mail or identity id; an unknown one lists nothing.",
        tag: 'sessions',
        params: [
          { name: 'active', in: 'query', schema: { enum: ['true', 'false', '1', '0'] }, description: 'only sessions still open' },
          { name: 'user', in: 'query', schema: str },
          { name: 'limit', in: 'query', schema: { type: 'string', pattern: '^\\d+$' }, description: '1 to 1000, default 100' },
        ],
        responses: { 200: { description: 'Sessions', schema: items(ref('Session')) } },
        errors: sessionErr,
      }),
    },
    '/sessions/{id}': {
      get: A({ summary: 'One session', description: 'An admin token without ?tenant finds it in any municipality.', tag: 'sessions', params: [idParam], responses: { 200: { description: 'The session', schema: ref('Session') } }, errors: sessionErr }),
    },
    '/sessions/{id}/disconnect': {
      post: act(
        'End a live session: Disconnect-Request (RFC 5176) to its NAS',
        { ...jsonBody(obj({ reason: { type: 'string', maxLength: 500, description: 'for the audit log' } }, [])), required: false },
        'Sent to the address the NAS reported accounting from, on the CoA port of the RADIUS client covering it (409 WFC_NAS_NOT_A_CLIENT when none does), signed with its secret. 409 WFC_SESSION_NOT_ACTIVE for a session already stopped.',
      ),
    },
    '/sessions/{id}/coa': {
      post: act('Change a live session: CoA-Request (RFC 5176) with a new timeout or bandwidth', jsonBody(ref('CoaChange')), 'Same routing and errors as disconnect.'),
    },
    '/legal/exports': {
      post: A({
        summary: 'Export the legal connection log for a judicial request (audited)',
        description:
          "Admin (federation-wide without ?tenant) or the municipality's read-write token; a read-only token gets 403. Returns the file: CSV (RFC 4180, one line per session and NAT mapping) or JSON. The audit event records who, the filter, the reason, the reference, the number of sessions and the file's SHA-256 (X-Wfc-Sha256), so what was disclosed can be proven later. 400 names each malformed field (dates, window over 366 days, port without ip, neither ip nor identity).",
        tag: 'legal',
        body: jsonBody(ref('LegalExportInput')),
        responses: {
          200: {
            description: 'The file, as an attachment',
            type: 'text/csv',
            json: ref('LegalExportDocument'),
            headers: { 'Content-Disposition': str, 'X-Wfc-Audit-Id': { type: 'string', description: 'the audit event' }, 'X-Wfc-Sha256': { type: 'string', description: "the body's SHA-256, hex" }, 'X-Wfc-Sessions': str },
          },
        },
        errors: [400, 401, 403, 404, 413, 415],
      }),
      get: A({
        summary: 'Who exported what, and why: the audit trail of exports, newest first',
        description: 'An admin token without ?tenant sees every export; a municipality its own.',
        tag: 'legal',
        params: [{ name: 'limit', in: 'query', schema: { type: 'string', pattern: '^\\d+$' }, description: '1 to 1000, default 100' }],
        responses: { 200: { description: 'Exports', schema: items(ref('LegalExportRecord')) } },
        errors: legalErr,
      }),
    },
    '/legal/holds': {
      post: A({
        summary: 'Place a legal hold: the named sessions outlive the one-year purge until released',
        description: 'Every session must be of the scope (404 WFC_SESSION_NOT_FOUND otherwise). Audited.',
        tag: 'legal',
        body: jsonBody(ref('LegalHoldInput')),
        responses: { 201: { description: 'Placed', schema: ref('LegalHold') } },
        errors: [400, 401, 403, 404, 413, 415],
      }),
      get: A({
        summary: 'Legal holds, active ones only unless released=true',
        tag: 'legal',
        params: [{ name: 'released', in: 'query', schema: { enum: ['true', 'false', '1', '0'] }, description: 'include released holds' }],
        responses: { 200: { description: 'Holds', schema: items(ref('LegalHold')) } },
        errors: legalErr,
      }),
    },
    '/legal/holds/{id}/release': {
      post: A({ summary: 'Release a legal hold: its sessions go at the next purge once past the retention', tag: 'legal', params: [idParam], responses: { 200: { description: 'Released', schema: ref('LegalHold') } }, errors: legalErr }),
    },
    '/legal/nat-mappings': {
      post: A({
        summary: "Import a gateway's NAT log (public address and port blocks of private addresses)",
        description:
          'A municipality is required (?tenant for an admin). CSV with a header `start,end,internal_ip,public_ip,port_start,port_end` (times ISO 8601 or Unix seconds, end may be empty), or a JSON array of objects with those keys (camelCase accepted); at most 20 MB and 200 000 lines. Every line is checked first: one bad line answers 400 WFC_NAT_IMPORT_INVALID naming the line and the field, and nothing is stored. Re-importing a line is counted in `duplicates`, not stored twice.',
        tag: 'legal',
        body: { type: ['text/csv', 'application/json'], schema: { anyOf: [str, arr({ type: 'object' })] } },
        responses: { 200: { description: 'Imported', schema: ref('NatImportResult') } },
        errors: [400, 401, 403, 404, 413, 415],
      }),
    },
  };
}
