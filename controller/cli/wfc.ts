#!/usr/bin/env node
/**
 * `wfc`: the operator's command line. Works on the data dir's store
 * directly (WFC_DATA_DIR or --data-dir), beside a running server or not.
 * Errors are one readable line on stderr and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';
import { isAppError } from '../errors.js';
import { ConfigError } from '../config/index.js';
import { registerFederation } from './commands/federation.js';
import { registerTenant } from './commands/tenant.js';
import { registerClient } from './commands/client.js';
import { registerUser } from './commands/user.js';
import { registerAp } from './commands/ap.js';
import { registerSessions } from './commands/sessions.js';
import { registerLegal } from './commands/legal.js';
import { registerToken } from './commands/token.js';
import { registerDemo } from './commands/demo.js';
import { registerPortal } from './commands/portal.js';

export function buildProgram(): Command {
  const program = new Command('wfc')
    .description('Regional Wi-Fi federation controller')
    .option('--data-dir <dir>', 'data directory (default: $WFC_DATA_DIR or ./data)')
    .exitOverride();
  registerFederation(program);
  registerTenant(program);
  registerClient(program);
  registerUser(program);
  registerAp(program);
  registerSessions(program);
  registerLegal(program);
  registerToken(program);
  registerPortal(program);
  registerDemo(program, async (dataDir) => {
    const { runController } = await import('../main.js');
    // The demo's access points get configurations pointing at this machine's portal.
    const portalUrl = process.env.WFC_PORTAL_PUBLIC_URL ?? `http://localhost:${process.env.WFC_PORTAL_PORT ?? '8080'}`;
    await runController({ ...process.env, WFC_DATA_DIR: dataDir, WFC_PORTAL_PUBLIC_URL: portalUrl });
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.commands.forEach(function oneLineErrors(c: Command) {
    c.exitOverride();
    // A usage error is one line naming where help is, not the whole help text.
    c.configureOutput({ outputError: (message, write) => write(`wfc: ${oneLine(message.replace(/^error: /, ''))} (see ${commandPath(c)} --help)\n`) });
    c.commands.forEach(oneLineErrors);
  });
  program.configureOutput({ outputError: (message, write) => write(`wfc: ${oneLine(message.replace(/^error: /, ''))} (see wfc --help)\n`) });
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      process.stderr.write(`wfc: invalid configuration: ${e.problems.join('; ')}\n`);
      return 1;
    }
    process.stderr.write(`wfc: ${oneLine(isAppError(e) || e instanceof Error ? e.message : String(e))}\n`);
    return 1;
  }
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, '; ');
}

const code = await main(process.argv);
if (code !== 0) process.exitCode = code;
