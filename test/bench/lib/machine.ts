/** The facts a reader needs to compare numbers between machines. */
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { clockTicksPerSecond } from './proc.js';

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
  readonly freeradius: string | null;
  readonly clockTicks: number;
}

export function machineFacts(freeradius: string | null): MachineFacts {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep "unknown"
  }
  return { cpus: availableParallelism(), cpuModel, kernel: release(), node: process.version, freeradius, clockTicks: clockTicksPerSecond() };
}

export function machineMarkdown(m: MachineFacts): string {
  return [
    `- CPUs (nproc): ${m.cpus}; model: ${m.cpuModel}`,
    `- Linux ${m.kernel}; CLK_TCK ${m.clockTicks}`,
    `- Node ${m.node}`,
    `- FreeRADIUS ${m.freeradius ?? 'not installed'}`,
  ].join('\n');
}
