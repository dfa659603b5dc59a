import type { Command } from 'commander';
import { seedDemo, type DemoSummary } from '../../services/demo.js';
import { printJson } from '../output.js';
import { action } from './shared.js';

/** The part of the summary the issue tracker and tests rely on, in a stable shape. */
function jsonSummary(s: DemoSummary) {
  return {
    federation: s.federation,
    radius: s.radius,
    tenants: s.tenants.map((t) => ({ slug: t.slug, name: t.name, apiToken: t.apiToken, radiusClient: t.radiusClient })),
    accessPoints: s.accessPoints.map((a) => ({ tenant: a.tenant, mac: a.mac, name: a.name })),
    users: s.users.map((u) => ({ username: u.username, password: u.password, email: u.email, locale: u.locale })),
    devices: s.devices,
  };
}

export function describeDemo(s: DemoSummary, dataDir: string, ports: { portal: number; api: number }): string {
  const ap = s.accessPoints[0]!;
  const user = s.users[0]!;
  const called = ap.mac.toUpperCase().replace(/:/g, '-');
  const lines = [
    `Demo federation "${s.federation.name}" (realm ${s.federation.realm}) is ready in ${dataDir}.`,
    '',
    'Municipalities (RADIUS client network, API token):',
    ...s.tenants.map((t) => `  ${t.slug.padEnd(8)} ${t.name.padEnd(18)} ${t.radiusClient.padEnd(12)} ${t.apiToken}`),
    '',
    `RADIUS shared secret (both municipalities): ${s.radius.secret}`,
    '',
    'Citizens (one identity, valid at every hotspot):',
    ...s.users.map((u) => `  ${u.username.padEnd(6)} ${u.password.padEnd(16)} ${u.email} (${u.locale})`),
    ...s.devices.map((d) => `  remembered device ${d.mac} (${d.username}): passes MAC authentication everywhere`),
    '',
    'Access points:',
    ...s.accessPoints.map((a) => `  ${a.tenant.padEnd(8)} ${a.mac}  ${a.name}`),
    '',
    'Captive portal (what a citizen sees on the hotspot; add ?lang=en for English):',
    ...s.portal.map((p) => `  http://localhost:${ports.portal}${p.path}`),
    '',
    'Provisioning API and operations (with a municipality\'s API token):',
    `  curl -H "Authorization: Bearer ${s.tenants[0]!.apiToken}" http://localhost:${ports.api}/v1/access-points`,
    `  http://localhost:${ports.api}/v1/openapi.json   http://localhost:${ports.api}/metrics   http://localhost:${ports.api}/readyz`,
    '',
    'Try RADIUS once the server runs (radclient/radtest come with Debian\'s freeradius-utils):',
    `  radtest -x ${user.username} '${user.password}' 127.0.0.1:${s.radius.authPort} 0 '${s.radius.secret}'`,
    `  echo "User-Name=${user.username}, User-Password='${user.password}', Called-Station-Id=${called}:Wifi-Valence, Message-Authenticator=0x00" \\`,
    `    | radclient -x 127.0.0.1:${s.radius.authPort} auth '${s.radius.secret}'`,
  ];
  return lines.join('\n') + '\n';
}

export function registerDemo(program: Command, start: (dataDir: string) => Promise<void>): void {
  const demo = program
    .command('demo')
    .description('seed a demo federation (idempotent) and print how to try it')
    .option('--json', 'print credentials and addresses as JSON')
    .option('--start', 'then start every part of the controller in this process');
  demo.action(async (o: { json?: boolean; start?: boolean }) => {
    let dataDir = '';
    await action(demo, async ({ stores, hasher, config }) => {
      dataDir = config.dataDir;
      const s = await seedDemo(stores, hasher, { dataDir, authPort: config.radius.authPort, acctPort: config.radius.acctPort });
      if (o.json) printJson(jsonSummary(s));
      else process.stdout.write(describeDemo(s, dataDir, { portal: config.portal.port, api: config.api.port }));
    })();
    if (o.start) await start(dataDir);
  });
}
