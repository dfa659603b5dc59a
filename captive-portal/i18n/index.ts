/**
 * Language choice, in this order: `?lang=` (the switch link, which also sets
 * the cookie), the `wfc_lang` cookie, Accept-Language (RFC 9110 §12.5.4,
 * highest q first), then French.
 */
import type { Locale } from '../../controller/domain/entities.js';
import { en } from './en.js';
import { fr, type Messages } from './fr.js';

export type { Messages };

export const MESSAGES: Readonly<Record<Locale, Messages>> = { fr, en };

export function isLocale(v: unknown): v is Locale {
  return v === 'fr' || v === 'en';
}

/** The best of our locales for an Accept-Language header, or null when none fits. */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: (tag ?? '').trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const primary = r.tag.split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return null;
}

export function negotiateLocale(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(query)) return query;
  if (isLocale(cookie)) return cookie;
  return fromAcceptLanguage(acceptLanguage) ?? 'fr';
}
