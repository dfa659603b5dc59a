import type { Command } from 'commander';
import { setFederation } from '../../services/federation.js';
import { printFields, printJson } from '../output.js';
import { action } from './shared.js';

export function registerFederation(program: Command): void {
  const fed = program.command('federation').description("the federation's name and identity realm");
  const set = fed.command('set').description('set the federation name and realm').requiredOption('--name <name>').requiredOption('--realm <realm>', 'DNS realm, e.g. wifi.example-region.fr').option('--json');
  set.action(
    action(set, async ({ stores }, opts: { name: string; realm: string; json?: boolean }) => {
      const f = await setFederation(stores, { name: opts.name, realm: opts.realm }, 'cli');
      if (opts.json) printJson(f);
      else printFields({ ...f });
    }),
  );
  const show = fed.command('show').description('show the federation').option('--json');
  show.action(
    action(show, async ({ stores }, opts: { json?: boolean }) => {
      const f = await stores.federation.get();
      if (opts.json) printJson(f);
      else if (!f) process.stdout.write('(not set: run `wfc federation set` or `wfc demo`)\n');
      else printFields({ ...f });
    }),
  );
}
