import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { publicIdentity, createIdentity, requireIdentity, setDisabled, setPassword } from '../../services/identities.js';
import { eraseAccount } from '../../services/privacy.js';
import { createMetrics } from '../../metrics.js';
import { systemClock } from '../../ports/clock.js';
import type { Identity } from '../../domain/entities.js';
import { printJson, printTable } from '../output.js';
import { action, int, readStdinLine } from './shared.js';
import type { CliContext } from '../context.js';

const row = (i: Identity) => ({ username: i.username, email: i.email, locale: i.locale, verified: i.verified, disabled: i.disabled, created: i.createdAt });

async function choosePassword(o: { password?: string; passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (o.passwordStdin) return { password: await readStdinLine(), generated: false };
  if (o.password !== undefined) return { password: o.password, generated: false };
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

async function lookup(ctx: CliContext, user: string): Promise<Identity> {
  return requireIdentity(ctx.stores, await ctx.stores.federation.get(), user);
}

export function registerUser(program: Command): void {
  const user = program.command('user').description("citizens' identities (one per citizen, valid at every municipality)");

  const add = user
    .command('add <username>')
    .description('create an identity')
    .option('--email <email>')
    .option('--password <password>', 'visible to other local users in `ps`: prefer --password-stdin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--locale <fr|en>', 'language of messages', 'fr')
    .option('--unverified', 'leave the e-mail unverified')
    .option('--json');
  add.action(
    action(add, async (ctx, username: string, o: { email?: string; password?: string; passwordStdin?: boolean; locale: string; unverified?: boolean; json?: boolean }) => {
      const { password, generated } = await choosePassword(o);
      const i = await createIdentity(ctx.stores, ctx.hasher, { username, email: o.email ?? null, password, locale: o.locale, verified: !o.unverified }, 'cli');
      if (o.json) printJson({ ...publicIdentity(i), ...(generated ? { password } : {}) });
      else {
        process.stdout.write(`created ${i.username}\n`);
        if (generated) process.stdout.write(`password (shown once): ${password}\n`);
      }
    }),
  );

  const list = user.command('list').description('list identities').option('--limit <n>', 'at most n', int('--limit'), 1000).option('--offset <n>', 'skip n', int('--offset'), 0).option('--json');
  list.action(
    action(list, async ({ stores }, o: { limit: number; offset: number; json?: boolean }) => {
      const all = await stores.identities.list({ limit: o.limit, offset: o.offset });
      if (o.json) printJson(all.map(publicIdentity));
      else printTable(all.map(row), ['username', 'email', 'locale', 'verified', 'disabled', 'created']);
    }),
  );

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    const cmd = user.command(`${name} <user>`).description(`${name} an identity (username, user@realm or e-mail)`).option('--json');
    cmd.action(
      action(cmd, async (ctx, u: string, o: { json?: boolean }) => {
        const i = await setDisabled(ctx.stores, await lookup(ctx, u), disabled, 'cli');
        if (!disabled) {
          if (o.json) printJson(publicIdentity(i));
          else process.stdout.write(`${i.username} enabled\n`);
          return;
        }
        // A disabled account must not keep browsing: its live sessions are disconnected (RFC 5176).
        const { disconnectIdentity } = await import('../../services/sessions.js');
        const { operatorActor, withDynauth } = await import('./sessions.js');
        const ended = await withDynauth(ctx.config, (dynauth) => disconnectIdentity({ stores: ctx.stores, dynauth }, i.id, operatorActor(), 'identity disabled'));
        if (o.json) printJson({ ...publicIdentity(i), sessions: ended });
        else {
          const slugs = new Map((await ctx.stores.tenants.list()).map((t) => [t.id, t.slug]));
          process.stdout.write(`${i.username} disabled\n`);
          for (const s of ended) {
            const where = `session ${s.sessionId} at ${slugs.get(s.tenantId) ?? s.tenantId}`;
            process.stdout.write(s.outcome === 'ack' ? `disconnected ${where}\n` : `${where} not disconnected: ${s.outcome}${s.errorCauseName ? ` (${s.errorCauseName})` : ''}\n`);
          }
        }
      }),
    );
  }

  const erase = user
    .command('erase <user>')
    .description(
      'erase an identity (GDPR art. 17): account and devices go; its sessions stay in the legal log under its id for the legal year, ' +
        'its username and e-mail in the legal archive (décret 2021-1362)',
    )
    .option('--yes', 'confirm: the erasure cannot be undone')
    .option('--json');
  erase.action(
    action(erase, async (ctx, u: string, o: { yes?: boolean; json?: boolean }) => {
      const i = await lookup(ctx, u);
      if (!o.yes) {
        process.stderr.write(`erasing ${i.username} cannot be undone: run again with --yes\n`);
        process.exitCode = 2;
        return;
      }
      // The CLI's own registry: the server's counters move only for erasures it makes.
      await eraseAccount({ stores: ctx.stores, clock: systemClock, metrics: createMetrics({ defaultMetrics: false }) }, i.id, 'operator', 'cli');
      if (o.json) printJson({ id: i.id, erased: true, reason: 'operator' });
      else process.stdout.write(`${i.username} erased; its sessions stay in the legal log as erased:${i.id}\n`);
    }),
  );

  const passwd = user
    .command('passwd <user>')
    .description("set an identity's password")
    .option('--password <password>')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--json');
  passwd.action(
    action(passwd, async (ctx, u: string, o: { password?: string; passwordStdin?: boolean; json?: boolean }) => {
      const { password, generated } = await choosePassword(o);
      const i = await setPassword(ctx.stores, ctx.hasher, await lookup(ctx, u), password, 'cli');
      if (o.json) printJson({ username: i.username, passwordChangedAt: i.passwordChangedAt, ...(generated ? { password } : {}) });
      else {
        process.stdout.write(`password of ${i.username} changed\n`);
        if (generated) process.stdout.write(`password (shown once): ${password}\n`);
      }
    }),
  );
}
