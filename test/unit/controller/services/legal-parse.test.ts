import { describe, expect, it } from 'vitest';
import type { LegalLogEntry } from '../../../../controller/ports/legal-log.js';
import { AppError } from '../../../../controller/errors.js';
import { legalCsv, legalExportSchema, parseNatLog, periodicJob } from '../../../../controller/services/legal.js';

const ok = { from: '2026-11-02T13:00:00Z', to: '2026-11-02T15:00:00Z', ip: '198.51.100.7', reason: 'Requisition of 2026-11-20', reference: 'PV 2026/0412' };

function fields(input: unknown): string[] {
  const r = legalExportSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('legal export filter', () => {
  it('accepts an address, an address and port, or an identity, within a year', () => {
    expect(fields(ok)).toEqual([]);
    expect(fields({ ...ok, port: 40321 })).toEqual([]);
    expect(fields({ ...ok, ip: undefined, identity: 'alice' })).toEqual([]);
    expect(fields({ ...ok, ip: '2001:db8::7' })).toEqual([]);
    expect(legalExportSchema.parse(ok).format).toBe('csv');
  });

  it.each([
    ['from not a date', { ...ok, from: 'yesterday' }, ['from']],
    ['to before from', { ...ok, to: '2026-11-01T00:00:00Z' }, ['to']],
    ['a window over 366 days', { ...ok, from: '2025-01-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, ['to']],
    ['a port without ip', { ...ok, ip: undefined, identity: 'alice', port: 80 }, ['port']],
    ['neither ip nor identity', { ...ok, ip: undefined }, ['ip']],
    ['a port out of range', { ...ok, port: 70000 }, ['port']],
    ['not an address', { ...ok, ip: '198.51.100' }, ['ip']],
    ['an unknown format', { ...ok, format: 'xlsx' }, ['format']],
    ['no reason', { ...ok, reason: 'x' }, ['reason']],
    ['no reference', { ...ok, reference: undefined }, ['reference']],
    ['an unknown field', { ...ok, tenant: 'crest' }, ['']],
  ])('names the field for %s', (_what, input, expected) => {
    expect(fields(input)).toEqual(expected);
  });
});

describe('NAT log import', () => {
  it('reads CSV with ISO 8601 or Unix-second times and an optional end', () => {
    const rows = parseNatLog(
      'start,end,internal_ip,public_ip,port_start,port_end\n' +
        '2026-11-02T13:58:04Z,2026-11-02T16:10:40Z,10.1.0.23,198.51.100.7,40000,40999\n' +
        '# a comment\n\n' +
        '1793627884,,10.1.0.24,198.51.100.7,41000,41999\r\n',
      'csv',
    );
    expect(rows).toEqual([
      { internalIp: '10.1.0.23', publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, startedAt: new Date('2026-11-02T13:58:04Z'), endedAt: new Date('2026-11-02T16:10:40Z'), source: 'import' },
      { internalIp: '10.1.0.24', publicIp: '198.51.100.7', portStart: 41000, portEnd: 41999, startedAt: new Date(1793627884 * 1000), endedAt: null, source: 'import' },
    ]);
  });

  it('reads a JSON array, snake_case or camelCase', () => {
    const rows = parseNatLog(JSON.stringify([{ start: '2026-11-02T13:58:04Z', internalIp: '10.1.0.23', public_ip: '198.51.100.7', portStart: 1024, port_end: 2047 }]), 'json');
    expect(rows[0]).toMatchObject({ internalIp: '10.1.0.23', publicIp: '198.51.100.7', portStart: 1024, portEnd: 2047, endedAt: null });
  });

  it.each([
    ['a header without public_ip', 'start,end,internal_ip,port_start,port_end\n', 'line 1: the header must name public_ip'],
    ['a short line', 'start,end,internal_ip,public_ip,port_start,port_end\n2026-11-02T13:58:04Z,,10.1.0.23\n', 'line 2: expected 6 fields, found 3'],
    ['a bad address on line 3', 'start,end,internal_ip,public_ip,port_start,port_end\n2026-11-02T13:58:04Z,,10.1.0.23,198.51.100.7,1,2\n2026-11-02T13:58:04Z,,10.1.0.23,198.51.100.300,1,2\n', 'line 3: public_ip: expected an IPv4 or IPv6 address'],
    ['ports reversed', 'start,end,internal_ip,public_ip,port_start,port_end\n2026-11-02T13:58:04Z,,10.1.0.23,198.51.100.7,2000,1000\n', 'line 2: port_end: is below port_start'],
    ['an end before the start', 'start,end,internal_ip,public_ip,port_start,port_end\n2026-11-02T13:58:04Z,2026-11-02T12:00:00Z,10.1.0.23,198.51.100.7,1,2\n', 'line 2: end: is before start'],
    ['a date that is not one', 'start,end,internal_ip,public_ip,port_start,port_end\nlundi,,10.1.0.23,198.51.100.7,1,2\n', 'line 2: start: expected an ISO 8601 date-time or Unix seconds'],
  ])('rejects %s, naming the line', (_what, text, message) => {
    expect(() => parseNatLog(text, 'csv')).toThrowError(expect.objectContaining({ code: 'WFC_NAT_IMPORT_INVALID', message: expect.stringContaining(`NAT log ${message}`) }) as Error);
  });

  it('rejects JSON that is not an array of objects', () => {
    expect(() => parseNatLog('{', 'json')).toThrow(AppError);
    expect(() => parseNatLog('{}', 'json')).toThrow(/expected a JSON array/);
    expect(() => parseNatLog('[1]', 'json')).toThrow(/line 1: expected an object/);
  });
});

describe('legal CSV', () => {
  const session = {
    id: 's1', tenantId: 't1', acctSessionId: 'a', nasIp: '10.0.0.1', nasAddress: '192.0.2.1', nasIdentifier: 'gw-1', identityId: 'i1', username: '=cmd|calc',
    callingStationId: 'AA-BB-CC-DD-EE-FF', calledStationId: null, apId: 'ap1', framedIp: '10.1.0.23', startedAt: new Date('2026-11-02T13:00:00Z'), updatedAt: new Date('2026-11-02T14:00:00Z'),
    stoppedAt: null, sessionTime: 3600, inputOctets: 10, outputOctets: 20, terminateCause: null, status: 'active',
  } as const;
  it('writes one line per NAT mapping, quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    const entries: LegalLogEntry[] = [
      {
        session: session as unknown as LegalLogEntry['session'],
        subscriber: { username: '=cmd|calc', email: 'a,b@example.org', erasedAt: null },
        held: true,
        natMappings: [
          { id: 'n1', tenantId: 't1', sessionId: 's1', internalIp: '10.1.0.23', publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, startedAt: new Date('2026-11-02T13:00:00Z'), endedAt: null, source: 'import' },
          { id: 'n2', tenantId: 't1', sessionId: 's1', internalIp: '10.1.0.23', publicIp: '198.51.100.7', portStart: 41000, portEnd: 41999, startedAt: new Date('2026-11-02T13:30:00Z'), endedAt: null, source: 'accounting' },
        ],
      },
    ];
    const csv = legalCsv(entries, new Map([['t1', 'valence']]), new Map([['ap1', 'Mairie']]));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('session_id,municipality,identity_id,username,email,account_erased_at,device_mac,access_point,nas_ip,nas_identifier,assigned_ip,nat_public_ip,nat_ports,nat_from,nat_to,started_at,stopped_at,input_octets,output_octets,held');
    expect(lines[1]).toBe(`s1,valence,i1,"'=cmd|calc","a,b@example.org",,AA-BB-CC-DD-EE-FF,Mairie,10.0.0.1,gw-1,10.1.0.23,198.51.100.7,40000-40999,2026-11-02T13:00:00.000Z,,2026-11-02T13:00:00.000Z,,10,20,true`);
    expect(lines[2]).toContain(',41000-41999,');
  });
});

describe('periodic job', () => {
  it('never overlaps itself and stops cleanly', async () => {
    let running = 0;
    let max = 0;
    let runs = 0;
    const job = periodicJob('t', 5, async () => {
      running++;
      max = Math.max(max, running);
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      running--;
    });
    job.start();
    await Promise.all([job.runNow(), job.runNow()]);
    await new Promise((r) => setTimeout(r, 60));
    await job.stop();
    expect(max).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('keeps running after a failed run', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const job = periodicJob('t', 1000, async () => {
      calls++;
      throw new Error('boom');
    }, { error: (o: unknown) => errors.push(o) } as never);
    await job.runNow();
    await job.runNow();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
    await job.stop();
  });
});
