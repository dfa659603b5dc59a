/**
 * Midnight in the federation's time zone: daily quotas reset at local
 * midnight, not UTC (the RADIUS server and the portal share this rule).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function startOfLocalDay(now: Date, timeZone = 'Europe/Paris'): Date {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  let h = 0;
  let m = 0;
  let s = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
    else if (p.type === 'second') s = Number(p.value);
  }
  return new Date(now.getTime() - ((h * 60 + m) * 60 + s) * 1000 - now.getMilliseconds());
}
