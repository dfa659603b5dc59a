/**
 * FreeRADIUS 3.2 as an RFC 5176 Disconnect/CoA listener: an independent
 * implementation our Disconnect/CoA client talks to. A throw-away raddb
 * holds one client (127.0.0.1 with a secret) and one virtual server with a
 * `listen { type = coa }` whose `recv-coa` section (FreeRADIUS 3 handles both
 * CoA-Request and Disconnect-Request there) ACKs known Acct-Session-Ids and
 * NAKs the others with Error-Cause = Session-Context-Not-Found (503).
 *
 * FreeRADIUS checks the Request Authenticator (RFC 5176 §2.3) and the
 * Message-Authenticator itself, and drops a request that fails either; with
 * the client's require_message_authenticator it also drops a CoA or
 * Disconnect request that has none (observed with 3.2.1).
 * It runs with -X so its debug log shows every attribute it decoded.
 *
 * No vitest here: helpers are compiled with the product.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './process.js';

/** The FreeRADIUS server binary (Debian installs it in /usr/sbin, not always on a user's PATH), or null. */
export function freeradiusBinary(): string | null {
  return which('freeradius') ?? (existsSync('/usr/sbin/freeradius') ? '/usr/sbin/freeradius' : null);
}

export interface CoaPeerOptions {
  /** UDP port on 127.0.0.1 to listen on. */
  readonly port: number;
  readonly secret: string;
  /** Acct-Session-Ids answered with an ACK; any other gets a NAK with Error-Cause 503. */
  readonly knownSessions: readonly string[];
}

/** A request as FreeRADIUS logged it in debug mode. */
export interface LoggedRequest {
  readonly number: number;
  readonly code: string;
  readonly identifier: number;
  readonly attributes: ReadonlyMap<string, string[]>;
  /** The reply it logged for it ('Disconnect-ACK', 'CoA-NAK', …), or null when it sent none yet. */
  readonly reply: string | null;
  readonly replyAttributes: ReadonlyMap<string, string[]>;
  /** True once FreeRADIUS logged "Finished request": every line about it is in. */
  readonly finished: boolean;
}

export interface CoaPeer {
  readonly port: number;
  /** Everything FreeRADIUS printed so far. */
  output(): string;
  /** Requests it decoded and logged, in order. */
  requests(): LoggedRequest[];
  /** Resolves once a line matching `re` appears (past or future); rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the last finished request that matches (past or future); rejects on timeout or exit. */
  waitForRequest(match: (r: LoggedRequest) => boolean, timeoutMs?: number): Promise<LoggedRequest>;
  stop(): Promise<void>;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** radiusd.conf for the listener. */
export function coaRadiusdConf(dir: string, o: CoaPeerOptions): string {
  if (o.knownSessions.length === 0) throw new Error('knownSessions: give at least one Acct-Session-Id');
  const known = o.knownSessions.map((s) => `(&Acct-Session-Id == ${quote(s)})`).join(' || ');
  return `# A Disconnect/CoA listener for tests (see test/helpers/freeradius-coa.ts).
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
raddbdir = ${dir}
confdir = \${raddbdir}
modconfdir = \${confdir}
logdir = \${raddbdir}/log
run_dir = \${raddbdir}/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
name = freeradius

max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no

log {
	destination = stdout
	colourise = no
}

security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}

proxy_requests = no

client controller {
	ipaddr = 127.0.0.1
	secret = ${quote(o.secret)}
	# FreeRADIUS 3.2.1 applies this to CoA-Request and Disconnect-Request too.
	require_message_authenticator = yes
}

modules {
	always ok {
		rcode = ok
	}
	always reject {
		rcode = reject
	}
}

server dynauth {
	listen {
		type = coa
		ipaddr = 127.0.0.1
		port = ${o.port}
	}
	# Both CoA-Request and Disconnect-Request: ok → ACK, reject → NAK.
	recv-coa {
		if (${known}) {
			ok
		}
		else {
			update reply {
				&Error-Cause := Session-Context-Not-Found
			}
			reject
		}
	}
	send-coa {
		ok
	}
}
`;
}

/**
 * Parses FreeRADIUS 3.2 debug output: "(N) Received X Id I from …" followed by
 * indented "(N)   Attr = value" lines, and "(N) Sent Y Id I …" followed by
 * "(N)   Attr := value" lines.
 */
export function parseDebugLog(output: string): LoggedRequest[] {
  const lines = output.split('\n');
  const byNumber = new Map<
    number,
    { number: number; code: string; identifier: number; attributes: Map<string, string[]>; reply: string | null; replyAttributes: Map<string, string[]>; finished: boolean }
  >();
  const attrs = (start: number, number: number, into: Map<string, string[]>) => {
    const prefix = `(${number})   `;
    for (let j = start; j < lines.length; j++) {
      const l = lines[j]!;
      if (!l.startsWith(prefix)) break;
      const m = /^(\S+) (?:=|:=|\+=) (.*)$/.exec(l.slice(prefix.length));
      if (!m) break;
      const value = m[2]!.replace(/^"(.*)"$/, '$1');
      into.set(m[1]!, [...(into.get(m[1]!) ?? []), value]);
    }
  };
  lines.forEach((l, i) => {
    const rx = /^\((\d+)\) Received (\S+) Id (\d+) from /.exec(l);
    if (rx) {
      const number = Number(rx[1]);
      const entry = { number, code: rx[2]!, identifier: Number(rx[3]), attributes: new Map<string, string[]>(), reply: null, replyAttributes: new Map<string, string[]>(), finished: false };
      byNumber.set(number, entry);
      attrs(i + 1, number, entry.attributes);
      return;
    }
    const tx = /^\((\d+)\) Sent (\S+) Id (\d+) from /.exec(l);
    if (tx) {
      const entry = byNumber.get(Number(tx[1]));
      if (entry) {
        entry.reply = tx[2]!;
        attrs(i + 1, entry.number, entry.replyAttributes);
      }
      return;
    }
    const fin = /^\((\d+)\) Finished request/.exec(l);
    if (fin) {
      const entry = byNumber.get(Number(fin[1]));
      if (entry) entry.finished = true;
    }
  });
  return [...byNumber.values()];
}

/** Writes a raddb into a fresh temporary directory and starts `freeradius -X` on it. */
export async function startFreeradiusCoa(o: CoaPeerOptions, startTimeoutMs = 15_000): Promise<CoaPeer> {
  const bin = freeradiusBinary();
  if (!bin) throw new Error('freeradius is not installed (Debian package freeradius)');
  const dir = mkdtempSync(join(tmpdir(), 'wfc-freeradius-coa-'));
  for (const sub of ['log', 'run']) mkdirSync(join(dir, sub), { mode: 0o700 });
  writeFileSync(join(dir, 'radiusd.conf'), coaRadiusdConf(dir, o), { mode: 0o600 });

  // -X: debug, foreground, one thread, log to stdout.
  const child: ChildProcess = spawn(bin, ['-X', '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited: string | null = null;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.once('close', (code, signal) => {
    exited = `exited (code ${code}, signal ${signal})`;
    notify();
  });

  /** Resolves when `check` returns a value, re-checked on every output chunk. */
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const poll = () => {
        const hit = check();
        if (hit !== undefined) {
          done();
          resolve(hit);
        } else if (exited) {
          done();
          reject(new Error(`freeradius ${exited} before ${what}\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`freeradius: no ${what} within ${timeoutMs} ms\n${out}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(poll);
      };
      listeners.add(poll);
      poll();
    });

  const waitFor = (re: RegExp, timeoutMs = 5_000) => until(() => out.split('\n').find((l) => re.test(l)), timeoutMs, `line matching ${String(re)}`);
  const waitForRequest = (match: (r: LoggedRequest) => boolean, timeoutMs = 5_000) =>
    until(() => parseDebugLog(out).filter((r) => r.finished && match(r)).pop(), timeoutMs, 'finished request matching');

  const stop = async () => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(/^Ready to process requests/, startTimeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port: o.port, output: () => out, requests: () => parseDebugLog(out), waitFor, waitForRequest, stop };
}
