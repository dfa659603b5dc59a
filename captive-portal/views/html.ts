/**
 * HTML by tagged templates: every interpolated value is escaped unless it is
 * already `Html` (built by `html` itself or `raw`). No template engine, so
 * no template-injection surface and the compiler checks every view.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Trusted markup only: constants of the code base, never request data. */
export function raw(s: string): Html {
  return new Html(s);
}

/** A URL with its query, each value percent-encoded. */
export function href(path: string, query: Record<string, string | null | undefined> = {}): string {
  const q = Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return q.length ? `${path}?${new URLSearchParams(q).toString()}` : path;
}
