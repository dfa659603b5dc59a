import { describe, expect, it } from 'vitest';
import { LongPollHub } from '../../../provisioning/long-poll.js';
import { parseIfNoneMatch } from '../../../provisioning/agent.js';
import { formatCsv, parseCsv } from '../../../provisioning/csv.js';
import { WriteLock } from '../../../provisioning/write-lock.js';

describe('long-poll hub', () => {
  it('wakes every waiter of an AP, and only those', async () => {
    const hub = new LongPollHub();
    const a1 = hub.wait('a', 10_000);
    const a2 = hub.wait('a', 10_000);
    const b = hub.wait('b', 10_000);
    expect(hub.size).toBe(3);
    const change = (apId: string) => ({ tenantId: 't', apId, version: 2, checksum: 'c2' });
    expect(hub.notify([change('a'), change('zzz')])).toBe(2);
    expect(await a1.done).toBe('changed');
    expect(a1.change()).toEqual(change('a'));
    expect(await a2.done).toBe('changed');
    expect(hub.size).toBe(1);
    b.cancel();
    expect(await b.done).toBe('closed');
    expect(b.change()).toBeNull();
    expect(hub.size).toBe(0);
  });

  it('times out, and answers everyone at shutdown', async () => {
    const hub = new LongPollHub();
    expect(await hub.wait('a', 20).done).toBe('timeout');
    const w = hub.wait('a', 10_000);
    hub.close();
    expect(await w.done).toBe('shutdown');
    expect(await hub.wait('a', 10_000).done).toBe('shutdown');
    expect(hub.size).toBe(0);
  });
});

describe('If-None-Match', () => {
  it('reads lists of strong and weak tags, in order', () => {
    expect(parseIfNoneMatch(undefined)).toEqual([]);
    expect(parseIfNoneMatch('"abc"')).toEqual(['abc']);
    expect(parseIfNoneMatch('"abc", W/"def" ,"ghi"')).toEqual(['abc', 'def', 'ghi']);
    expect(parseIfNoneMatch('*')).toEqual(['*']);
  });
});

describe('CSV', () => {
  it('parses RFC 4180: quotes, doubled quotes, commas and line breaks in fields, CRLF, BOM, blank lines', () => {
    const r = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3\n');
    expect(r).toEqual({ ok: true, rows: [['a', 'b', 'c'], ['x, y', 'say "hi"', 'two\nlines'], ['1', '', '3']] });
  });

  it('names the line of a malformed quote', () => {
    expect(parseCsv('a,b\n"open,\n')).toMatchObject({ ok: false, reason: 'a quoted field is not closed' });
    expect(parseCsv('a,b\nx"y,z\n')).toEqual({ ok: false, line: 2, reason: 'a quote inside an unquoted field' });
    expect(parseCsv('a\n"x"y\n')).toEqual({ ok: false, line: 2, reason: 'text after a closing quote' });
  });

  it('formats what it parses, and defuses spreadsheet formulas', () => {
    const text = formatCsv(['name', 'n'], [['=HYPERLINK("x")', -1.5], ['a,"b"', null]]);
    expect(text).toBe('name,n\r\n"\'=HYPERLINK(""x"")",-1.5\r\n"a,""b""",\r\n');
    expect(parseCsv(text)).toEqual({ ok: true, rows: [['name', 'n'], ['\'=HYPERLINK("x")', '-1.5'], ['a,"b"', '']] });
  });
});

describe('write lock', () => {
  it('runs changes one at a time, in order, even when one fails', async () => {
    const lock = new WriteLock();
    const log: string[] = [];
    const step = (name: string, ms: number, fail = false) =>
      lock.run(async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([step('a', 30), step('b', 5, true), step('c', 1)]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
