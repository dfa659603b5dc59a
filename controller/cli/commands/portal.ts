import type { Command } from 'commander';
import type { Tenant } from '../../domain/entities.js';
import { redactSettings, setPortalSettings, setWifi4Eu } from '../../services/portal-settings.js';
import { requireTenant } from '../../services/tenants.js';
import type { Config } from '../../config/index.js';
import { walledGarden } from '../../../captive-portal/wifi4eu.js';
import { printJson } from '../output.js';
import { action } from './shared.js';

/** What a municipality's IT needs to configure its gateway, secrets redacted. */
function summary(tenant: Tenant, config: Readonly<Config>) {
  const base = (config.portal.publicUrl ?? `http://localhost:${config.portal.port}`).replace(/\/+$/, '');
  return {
    tenant: tenant.slug,
    settings: redactSettings(tenant.portal),
    wifi4eu: tenant.wifi4eu,
    portalUrl: `${base}/t/${tenant.slug}/`,
    captiveApiUrl: `${base}/t/${tenant.slug}/api/captive`,
    walledGarden: walledGarden(tenant, new URL(base).hostname),
  };
}

const list = (v: string): string[] => v.split(',').map((h) => h.trim()).filter(Boolean);

export function registerPortal(program: Command): void {
  const portal = program.command('portal').description("a municipality's captive-portal gateway settings and WiFi4EU enrolment (printed as JSON, secrets redacted)");

  const show = portal.command('show <tenant>').description('the portal URL, gateway settings and walled garden to configure on the gateway');
  show.action(action(show, async ({ stores, config }, slug: string) => printJson(summary(await requireTenant(stores, slug), config))));

  const set = portal
    .command('set <tenant>')
    .description("set the municipality's gateway protocol and secrets")
    .requiredOption('--gateway <type>', 'coovachilli, opennds or generic')
    .option('--uam-secret <secret>', 'CoovaChilli uamsecret (HS_UAMSECRET)')
    .option('--uam-auth <pap|chap>', 'how the token goes back to CoovaChilli', 'chap')
    .option('--fas-key <key>', 'openNDS faskey')
    .option('--walled-garden <hosts>', 'extra hosts reachable before login, comma-separated', list, []);
  set.action(
    action(set, async ({ stores, config }, slug: string, o: { gateway: string; uamSecret?: string; uamAuth: string; fasKey?: string; walledGarden: string[] }) => {
      const tenant = await requireTenant(stores, slug);
      const input = { gateway: o.gateway, uamSecret: o.uamSecret ?? null, uamAuth: o.uamAuth, fasKey: o.fasKey ?? null, walledGarden: o.walledGarden };
      printJson(summary(await setPortalSettings(stores, tenant, input, 'cli'), config));
    }),
  );

  const clear = portal.command('clear <tenant>').description('remove the gateway settings');
  clear.action(action(clear, async ({ stores, config }, slug: string) => printJson(summary(await setPortalSettings(stores, await requireTenant(stores, slug), null, 'cli'), config))));

  const wifi4eu = portal
    .command('wifi4eu <tenant>')
    .description('enrol the municipality in WiFi4EU (the measurement snippet on its portal)')
    .option('--network-id <id>', 'the network identifier from the WiFi4EU portal')
    .option('--language <fr|en>', "the snippet's language", 'fr')
    .option('--no-self-test', 'leave self-test mode (once the installation is validated)')
    .option('--clear', 'withdraw from WiFi4EU');
  wifi4eu.action(
    action(wifi4eu, async ({ stores, config }, slug: string, o: { networkId?: string; language: string; selfTest: boolean; clear?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const input = o.clear ? null : { networkId: o.networkId ?? '', language: o.language, selfTest: o.selfTest };
      printJson(summary(await setWifi4Eu(stores, tenant, input, 'cli'), config));
    }),
  );
}
