/**
 * The portal's one stylesheet, served per municipality from our own origin
 * (`/t/<slug>/style.css`): the base rules plus the municipality's colour.
 * Colours are chosen for WCAG 2.1 AA contrast (4.5:1 for text): text on the
 * brand colour is white or near-black, whichever contrasts more, and links
 * use the brand colour only when it is dark enough on white.
 */
import { createHash } from 'node:crypto';
import type { Tenant } from '../../controller/domain/entities.js';

/** WCAG 2.1 relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

const DARK = '#1b1b1b';
const FALLBACK = '#0b5394';

export interface Palette {
  readonly brand: string;
  readonly onBrand: string;
  readonly link: string;
}

export function palette(color: string): Palette {
  const brand = /^#[0-9a-fA-F]{6}$/.test(color) ? color.toLowerCase() : FALLBACK;
  const onBrand = contrast(brand, '#ffffff') >= contrast(brand, DARK) ? '#ffffff' : DARK;
  const link = contrast(brand, '#ffffff') >= 4.5 ? brand : DARK;
  return { brand, onBrand, link };
}

const BASE = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#f4f4f4;-webkit-text-size-adjust:100%}
body{margin:0}
a{color:var(--link)}
a:focus,button:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
.brand{background:var(--brand);color:var(--on-brand);padding:.75rem 1rem;display:flex;align-items:center;gap:.75rem;flex-wrap:wrap}
.brand img{height:2.5rem;width:auto}
.brand .name{font-weight:700;font-size:1.1rem;flex:1}
.brand a{color:var(--on-brand);font-weight:600}
main{max-width:30rem;margin:0 auto;padding:1rem;background:#fff;min-height:60vh}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin-top:1rem}
.hint{display:block;font-weight:400;color:#505050;font-size:.9rem}
input[type=text],input[type=email],input[type=password],input[type=tel]{display:block;width:100%;font-size:1.1rem;padding:.6rem;margin-top:.25rem;border:2px solid #505050;border-radius:4px;background:#fff;color:#1b1b1b}
input[aria-invalid=true]{border-color:#b00020}
.check{display:flex;gap:.6rem;align-items:flex-start;margin-top:1rem;font-weight:400}
.check input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}
button,.button{display:inline-block;width:100%;margin-top:1.25rem;padding:.75rem 1rem;font-size:1.1rem;font-weight:700;border:0;border-radius:4px;background:var(--brand);color:var(--on-brand);text-align:center;text-decoration:none;cursor:pointer}
button.secondary{background:#fff;color:var(--link);border:2px solid currentColor}
button.danger{background:#b00020;color:#fff}
button.link{width:auto;margin:0;padding:.25rem .5rem;font-size:1rem;background:#fff;color:#b00020;border:2px solid currentColor}
.error{color:#b00020;font-weight:600}
.notice{border-left:4px solid var(--brand);background:#f4f4f4;padding:.6rem .8rem}
.alert{border-left:4px solid #b00020;background:#fdecee;padding:.6rem .8rem}
.field-error{display:block;color:#b00020;font-weight:600;font-size:.95rem}
.links{margin-top:1.5rem}
.links p{margin:.4rem 0}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
ul.devices{list-style:none;padding:0}
ul.devices li{display:flex;justify-content:space-between;align-items:center;gap:.5rem;padding:.5rem 0;border-bottom:1px solid #ddd}
ul.devices form{margin:0}
footer{max-width:30rem;margin:0 auto;padding:1rem;font-size:.9rem;color:#505050}
footer a{color:#1b1b1b}
#wifi4eubanner{display:block;max-width:100%;margin:0 auto 1rem}
`.replace(/\n/g, '');

export function stylesheet(t: Tenant | null): string {
  const p = palette(t?.branding.primaryColor ?? FALLBACK);
  return `:root{--brand:${p.brand};--on-brand:${p.onBrand};--link:${p.link}}${BASE}`;
}

const versions = new Map<string, string>();

/** Cache-busting version of a municipality's stylesheet (it depends on the colour only). */
export function stylesheetVersion(t: Tenant | null): string {
  const color = t?.branding.primaryColor ?? FALLBACK;
  let v = versions.get(color);
  if (v === undefined) {
    v = createHash('sha256').update(stylesheet(t)).digest('hex').slice(0, 10);
    if (versions.size < 10_000) versions.set(color, v);
  }
  return v;
}
