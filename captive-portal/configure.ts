/**
 * Setting a municipality's gateway settings from a shell, until the `wfc`
 * CLI and the admin API offer it:
 *
 *   node dist/captive-portal/configure.js [--data-dir DIR] <municipality> show
 *   node dist/captive-portal/configure.js [--data-dir DIR] <municipality> set '<JSON settings>'
 *   node dist/captive-portal/configure.js [--data-dir DIR] <municipality> clear
 *   node dist/captive-portal/configure.js [--data-dir DIR] <municipality> wifi4eu '<JSON>' | wifi4eu-clear
 *
 * Uses the same configuration as the server (WFC_DATABASE_URL or the data
 * dir's SQLite file); the running server sees the change at the next page.
 * Prints the settings with secrets redacted, the portal URL to give the
 * gateway and its walled garden.
 */
import { fileURLToPath } from 'node:url';
import { withContext } from '../controller/cli/context.js';
import { isAppError } from '../controller/errors.js';
import { requireTenant } from '../controller/services/tenants.js';
import { redactSettings, setPortalSettings, setWifi4Eu } from './settings.js';
import { walledGarden } from './wifi4eu.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function configure(argv: readonly string[], io: Io = stdio): Promise<number> {
  const { out, err } = io;
  const args = [...argv];
  let dataDir: string | undefined;
  if (args[0] === '--data-dir') {
    dataDir = args[1];
    args.splice(0, 2);
  }
  const [slug, verb, json] = args;
  const takesJson = verb === 'set' || verb === 'wifi4eu';
  if (!slug || !['show', 'set', 'clear', 'wifi4eu', 'wifi4eu-clear'].includes(verb ?? '') || (takesJson && !json)) {
    err("usage: configure [--data-dir DIR] <municipality> show | set '<JSON>' | clear | wifi4eu '<JSON>' | wifi4eu-clear\n");
    return 2;
  }
  try {
    return await withContext(dataDir, async ({ stores, config }) => {
      let tenant = await requireTenant(stores, slug);
      if (verb !== 'show') {
        let input: unknown = null;
        if (takesJson) {
          try {
            input = JSON.parse(json!);
          } catch {
            err('configure: the settings are not valid JSON\n');
            return 2;
          }
        }
        tenant = verb!.startsWith('wifi4eu') ? await setWifi4Eu(stores, tenant, input, 'cli:configure') : await setPortalSettings(stores, tenant, input, 'cli:configure');
      }
      const base = (config.portal.publicUrl ?? `http://localhost:${config.portal.port}`).replace(/\/+$/, '');
      out(
        JSON.stringify(
          {
            tenant: tenant.slug,
            settings: redactSettings(tenant.portal),
            wifi4eu: tenant.wifi4eu,
            portalUrl: `${base}/t/${tenant.slug}/`,
            captiveApiUrl: `${base}/t/${tenant.slug}/api/captive`,
            walledGarden: walledGarden(tenant, new URL(base).hostname),
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    });
  } catch (e) {
    if (isAppError(e)) {
      err(`configure: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await configure(process.argv.slice(2));
}
