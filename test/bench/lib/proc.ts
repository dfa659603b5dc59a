/**
 * What a server process costs, read from Linux /proc: CPU time (all its
 * threads: event loop, libuv pool, GC) and peak resident memory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | null = null;

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, almost always 100). */
export function clockTicksPerSecond(): number {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clkTck = NaN;
    }
    if (!Number.isInteger(clkTck) || clkTck <= 0) clkTck = 100;
  }
  return clkTck;
}

/** utime + stime of a process, in microseconds (resolution 1/CLK_TCK s). proc(5): fields 14 and 15. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return (ticks * 1e6) / clockTicksPerSecond();
}

/** VmHWM: the peak resident set size so far, in KiB. */
export function peakRssKiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
