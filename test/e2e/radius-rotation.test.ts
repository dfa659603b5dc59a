/**
 * Secret rotation end to end: municipal IT starts a rotation through the
 * provisioning API; while it is open, radclient is accepted with the old
 * and with the new secret; after it completes, only the new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { databaseFile } from '../../controller/cli/context.js';
import { hasBinary, q, radclient } from '../helpers/radclient.js';
import { startDemoController, type DemoController } from './fixtures/demo-controller.js';

const haveRadclient = hasBinary('radclient');

describe.skipIf(!haveRadclient)('RADIUS secret rotation with overlap (provisioning API + radclient)', () => {
  let c: DemoController;
  beforeAll(async () => {
    c = await startDemoController();
  });
  afterAll(() => c?.stop());

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${c.running.addresses.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${c.demo.tenants.find((t) => t.slug === 'valence')!.apiToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  /** Access-Request from the Valence gateway (127.0.0.1), retried until the directory reload (every 5 s) applies. */
  const accepted = async (secret: string, within = 8000): Promise<boolean> => {
    const deadline = Date.now() + within;
    for (;;) {
      const alice = c.demo.users.find((u) => u.username === 'alice')!.password;
      const r = await radclient({ server: `127.0.0.1:${c.running.addresses.radiusAuth}`, kind: 'auth', secret, timeoutSec: 1, attributes: ['User-Name = "alice"', `User-Password = ${q(alice)}`, 'Calling-Station-Id = "02-00-00-00-0a-0f"', 'Message-Authenticator = 0x00'] });
      if (r.code === 'Access-Accept') return true;
      if (Date.now() > deadline) return false;
    }
  };

  it('keeps the old secret valid beside the new one until the rotation completes', async () => {
    const stores = openSqliteStores({ file: databaseFile(c.dataDir) });
    const valence = (await stores.tenants.getBySlug('valence'))!;
    const clientId = (await stores.clients.list(valence.id))[0]!.id;
    await stores.close();
    const start = await api('POST', '/v1/radius-secret-rotations', { clientId });
    expect(start.status, JSON.stringify(start.json)).toBe(201);
    const rotationId = (start.json.rotation as { id: string }).id;

    // Shown once, for gateways configured by hand; the demo's are (no provisioned AP carries it), so the rotation stays open.
    const newSecret = start.json.newSecret as string;
    expect((start.json.rotation as { completedAt: unknown }).completedAt).toBeNull();
    const oldSecret = c.demo.radius.secret;
    expect(newSecret).not.toBe(oldSecret);

    expect(await accepted(newSecret)).toBe(true);
    expect(await accepted(oldSecret, 0)).toBe(true);

    expect((await api('POST', `/v1/radius-secret-rotations/${rotationId}/complete`)).status).toBe(200);
    expect(await accepted(newSecret)).toBe(true);
    // After the next reload the old secret is refused.
    const deadline = Date.now() + 8000;
    let oldStillWorks = true;
    while (oldStillWorks && Date.now() < deadline) oldStillWorks = await accepted(oldSecret, 0);
    expect(oldStillWorks).toBe(false);
  }, 60_000);
});
