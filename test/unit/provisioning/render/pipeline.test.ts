import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeBundle } from '../../../../provisioning/render/bundle.js';
import { buildModel, render, renderFiles, type RenderInput } from '../../../../provisioning/render/pipeline.js';

const base = JSON.parse(readFileSync(new URL('../../../vectors/render/opennds-two-bands/input.json', import.meta.url), 'utf8')) as RenderInput;
type Vars = Record<string, unknown>;
const withVars = (fed: Vars, mun: Vars, ap: Vars, over: Partial<RenderInput> = {}): RenderInput => ({
  ...base,
  ...over,
  variables: { federation: fed, municipality: mun },
  profile: { ...base.profile, variables: ap },
});

describe('render pipeline', () => {
  it('merges variables federation → municipality → AP, the later level winning', () => {
    const noWifi4eu = { ...base.tenant, wifi4eu: false };
    const m = (fed: Vars, mun: Vars, ap: Vars) => {
      const r = buildModel({ ...withVars(fed, mun, ap), tenant: noWifi4eu });
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.model;
    };
    expect(m({}, {}, {}).ssids[0]!.ssid).toBe('Wi-Fi public');
    expect(m({ ssid: 'Fed' }, {}, {}).ssids[0]!.ssid).toBe('Fed');
    expect(m({ ssid: 'Fed' }, { ssid: 'Mun' }, {}).ssids[0]!.ssid).toBe('Mun');
    expect(m({ ssid: 'Fed' }, { ssid: 'Mun' }, { ssid: 'AP' }).ssids[0]!.ssid).toBe('AP');
    // Lists are replaced, not concatenated.
    expect(m({ dnsServers: ['192.0.2.1', '192.0.2.2'] }, { dnsServers: ['192.0.2.3'] }, {}).dnsServers).toEqual(['192.0.2.3']);
  });

  it('names WiFi4EU networks "WiFi4EU" and opens the snippet host, unless a level says otherwise', () => {
    const r = buildModel(withVars({}, {}, {}));
    expect(r.ok && r.model.ssids[0]!.ssid).toBe('WiFi4EU');
    expect(r.ok && r.model.gateway?.walledGarden).toContain('collection.wifi4eu.ec.europa.eu');
  });

  it('names the variable and the level-independent field of a bad value', () => {
    const r = buildModel(withVars({ ssid: 'x'.repeat(40) }, { channel2g: 14, colour: 'blue' }, {}));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.field).sort()).toEqual(['variables.channel2g', 'variables.colour', 'variables.ssid']);
      expect(r.issues.find((i) => i.field === 'variables.colour')?.message).toBe('unknown field');
    }
  });

  it('refuses to render without a RADIUS client, naming radiusClientId', () => {
    const r = render({ ...base, radius: { ...base.radius, secret: null } });
    expect(r).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'radiusClientId', message: expect.stringMatching(/no RADIUS client/) })] });
  });

  it('refuses a captive-portal gateway without a portal URL, and a secret under 16 characters', () => {
    const r = render({ ...base, portalBaseUrl: null, radius: { ...base.radius, secret: 'short' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.field).sort()).toEqual(['model.gateway.portalUrl', 'model.radius.secret']);
  });

  it("follows the municipality's gateway, or the AP's own choice", () => {
    const gw = (gateway: RenderInput['profile']['gateway'], portal = base.tenant.portal) => {
      const r = buildModel({ ...base, tenant: { ...base.tenant, portal }, profile: { ...base.profile, gateway } });
      return r.ok ? (r.model.gateway?.type ?? 'none') : 'error';
    };
    expect(gw('municipality')).toBe('opennds');
    expect(gw('municipality', null)).toBe('none');
    expect(gw('municipality', { ...base.tenant.portal!, gateway: 'generic' })).toBe('none');
    expect(gw('coovachilli')).toBe('coovachilli');
    expect(gw('none')).toBe('none');
  });

  it('bridges open SSIDs to the LAN when the gateway is external', () => {
    const r = buildModel({ ...base, profile: { ...base.profile, gateway: 'none' } });
    expect(r.ok && r.model.ssids.map((s) => [s.network, s.captivePortal])).toEqual([
      ['lan', false],
      ['lan', false],
    ]);
    expect(r.ok && r.model.guest).toBeNull();
  });

  it('says which secret a bundle carries, and null when it carries none', () => {
    const other = { ...base.radius, secret: 'another-secret-0123456' };
    // openNDS open SSIDs: the gateway holds no RADIUS secret, a rotation need not wait for it.
    const nds = render(base);
    const ndsOther = render({ ...base, radius: other });
    expect(nds.ok && ndsOther.ok && nds.secretDigest === null && nds.checksum === ndsOther.checksum).toBe(true);
    // CoovaChilli and the generic JSON carry it: a new secret is a new checksum.
    for (const over of [{ profile: { ...base.profile, gateway: 'coovachilli' as const } }, { profile: { ...base.profile, firmware: 'generic' as const } }]) {
      const a = render({ ...base, ...over });
      const b = render({ ...base, ...over, radius: other });
      expect(a.ok && b.ok).toBe(true);
      if (a.ok && b.ok) {
        expect(a.secretDigest).toMatch(/^[0-9a-f]{64}$/);
        expect(a.secretDigest).not.toBe(b.secretDigest);
        expect(a.checksum).not.toBe(b.checksum);
      }
    }
  });
});

describe('render once per shape', () => {
  const vectors = ['opennds-two-bands', 'coovachilli-enterprise', 'external-gateway-5g'].map(
    (name) => JSON.parse(readFileSync(new URL(`../../../vectors/render/${name}/input.json`, import.meta.url), 'utf8')) as RenderInput,
  );
  const devices: Array<Partial<RenderInput['ap']>> = [
    { mac: '00:00:00:00:00:01', nasIdentifier: null },
    { mac: 'fe:ed:0f:ee:d0:0e', nasIdentifier: 'gw-1' },
    { mac: 'aa:bb:cc:dd:ee:ff', nasIdentifier: 'site@mairie.example:1' },
    // Quotes, spaces and non-ASCII take the full render; the result must not differ.
    { mac: 'aa:bb:cc:dd:ee:01', nasIdentifier: "l'école 1" },
    { mac: 'aa:bb:cc:dd:ee:02', nasIdentifier: 'Médiathèque' },
  ];

  it.each(['openwrt', 'hostapd', 'generic'] as const)('gives exactly the files of a full render (%s)', (firmware) => {
    for (const v of vectors) {
      for (const d of devices) {
        const input: RenderInput = { ...v, ap: { ...v.ap, ...d } };
        const fast = render(input, firmware);
        const model = buildModel(input);
        if (!fast.ok || !model.ok) throw new Error('render failed');
        const full = encodeBundle(renderFiles(model.model, firmware));
        expect(fast.bundle).toBe(full.text);
        expect(fast.checksum).toBe(full.checksum);
      }
    }
  });

  it('reuses the municipality-level part only when it is the same: shared inputs give what fresh copies give', () => {
    const shared = { ...vectors[0]! };
    const profiles = [shared.profile, { ...shared.profile, bands: ['5g' as const] }, { ...shared.profile, gateway: 'coovachilli' as const }, { ...shared.profile, variables: { ssid: 'Own' } }];
    for (const profile of profiles) {
      for (const d of devices) {
        const input: RenderInput = { ...shared, profile, ap: { ...shared.ap, ...d } };
        const fresh: RenderInput = structuredClone(input);
        const a = render(input);
        const b = render(fresh);
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) {
          expect(a.bundle).toBe(b.bundle);
          expect(a.model).toEqual(b.model);
        }
      }
    }
    // A different secret in the same municipality is a different shape.
    const other = render({ ...shared, radius: { ...shared.radius, secret: 'another-secret-0123456' }, profile: { ...shared.profile, gateway: 'coovachilli' } });
    const same = render({ ...shared, profile: { ...shared.profile, gateway: 'coovachilli' } });
    expect(other.ok && same.ok && other.bundle !== same.bundle).toBe(true);
  });

  it('still refuses a device the schema refuses', () => {
    const r = buildModel({ ...base, ap: { ...base.ap, latitude: 120 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.field)).toEqual(['model.device.latitude']);
  });
});
