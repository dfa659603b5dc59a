/**
 * The page shell: `lang`, a skip link, the municipality's banner (name,
 * logo, colour), the language switch, main content, legal links. One
 * same-origin stylesheet, no script unless the municipality is enrolled in
 * WiFi4EU. Pages stay a few kilobytes for captive-network browsers.
 */
import type { Locale, Tenant } from '../../controller/domain/entities.js';
import type { Messages } from '../i18n/index.js';
import { WIFI4EU_SCRIPT } from '../wifi4eu.js';
import { stylesheetVersion } from './style.js';
import { href, html, type Html } from './html.js';

export interface ViewContext {
  readonly tenant: Tenant | null;
  /** `/t/<slug>`, or '' outside a municipality. */
  readonly base: string;
  readonly locale: Locale;
  readonly t: Messages;
  /** This browser's CSRF token, for every form. */
  readonly csrf: string;
  /** The current page in the other language. */
  readonly switchUrl: string;
  readonly wifi4eu: boolean;
}

/** The hidden field every form carries. */
export function formState(v: ViewContext): Html {
  return html`<input type="hidden" name="_csrf" value="${v.csrf}">`;
}

/** A link within the municipality's portal. */
export function link(v: ViewContext, path: string, query: Record<string, string | null> = {}): string {
  return href(`${v.base}${path}`, query);
}

/** Logos: inline data: images or same-origin paths only (no third-party requests). */
function logoSrc(t: Tenant): string | null {
  const u = t.branding.logoUrl;
  if (!u) return null;
  if (/^data:image\/(png|svg\+xml|jpeg|webp|gif);base64,[A-Za-z0-9+/=]+$/.test(u) && u.length < 64_000) return u;
  if (/^\/[A-Za-z0-9._~/-]*$/.test(u)) return u;
  return null;
}

export function layout(v: ViewContext, title: string, main: Html): Html {
  const t = v.t;
  const tenant = v.tenant;
  const name = tenant ? tenant.branding.displayName : t.appName;
  const css = tenant ? `${v.base}/style.css?v=${stylesheetVersion(tenant)}` : `/style.css?v=${stylesheetVersion(null)}`;
  const logo = tenant ? logoSrc(tenant) : null;
  return html`<!doctype html>
<html lang="${v.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${name}</title>
<link rel="stylesheet" href="${css}">
${v.wifi4eu ? html`<script src="${v.base}/wifi4eu.js"></script>\n<script defer src="${WIFI4EU_SCRIPT}"></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="brand">
${logo ? html`<img src="${logo}" alt="">` : ''}<span class="name">${name}</span>
<a href="${v.switchUrl}" lang="${t.switchLanguageLang}" hreflang="${t.switchLanguageLang}">${t.switchLanguage}</a>
</header>
<main id="main">
${v.wifi4eu ? html`<img id="wifi4eubanner" alt="WiFi4EU">` : ''}
${main}
</main>
<footer>
<p>${tenant ? html`<a href="${link(v, '/terms')}">${t.footerTerms}</a> · <a href="${link(v, '/privacy')}">${t.footerPrivacy}</a>` : ''}</p>
<p>${t.federationNote}</p>
</footer>
</body>
</html>
`;
}
