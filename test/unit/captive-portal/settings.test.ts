/** Gateway settings: validation (the `wfc portal` command is tested in test/e2e/cli-portal.test.ts). */
import { describe, expect, it } from 'vitest';
import { portalSettingsSchema } from '../../../controller/services/portal-settings.js';

describe('portal settings schema', () => {
  it('defaults CHAP, no secrets, no extra hosts', () => {
    expect(portalSettingsSchema.parse({ gateway: 'coovachilli' })).toEqual({ gateway: 'coovachilli', uamSecret: null, uamAuth: 'chap', fasKey: null, walledGarden: [] });
  });
  it('refuses secrets of the wrong protocol, short or spaced secrets, bad hosts, unknown keys', () => {
    const issues = (v: unknown) => portalSettingsSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ gateway: 'opennds', uamSecret: 'long-enough-secret' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'coovachilli', fasKey: 'long-enough-secret' })).toEqual(['fasKey']);
    expect(issues({ gateway: 'coovachilli', uamSecret: 'short' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'coovachilli', uamSecret: 'has a space in it' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'generic', walledGarden: ['ok.example', 'not a host'] })).toEqual(['walledGarden.1']);
    expect(issues({ gateway: 'mikrotik' })).toEqual(['gateway']);
    expect(issues({ gateway: 'generic', extra: 1 })).toEqual(['']);
    expect(portalSettingsSchema.parse({ gateway: 'generic', walledGarden: ['*.Example.ORG'] }).walledGarden).toEqual(['*.example.org']);
  });
});
