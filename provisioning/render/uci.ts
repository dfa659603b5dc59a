/**
 * OpenWrt's UCI file format, both ways: a writer for the renderers and a
 * strict parser that doubles as the syntax check of rendered files.
 *
 * The grammar is libuci's (file.c uci_parse_line): `config <type> ['<name>']`,
 * then `option <name> '<value>'` and `list <name> '<value>'` lines; `#`
 * starts a comment. Names are [A-Za-z0-9_]; values here are always single
 * quoted, a quote inside written as '\'' as a shell would.
 */

export type UciValue = string | number | boolean | readonly string[];

export interface UciSection {
  readonly type: string;
  readonly name: string;
  /** Options in the order they are written; arrays become `list` lines. null and undefined are left out. */
  readonly options: ReadonlyArray<readonly [string, UciValue | null | undefined]>;
}

const NAME = /^[A-Za-z0-9_]+$/;
const TYPE = /^[A-Za-z0-9_-]+$/;

export function quote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

function scalar(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

/** One package's text: sections in the given order, a blank line between them, ending in a newline. */
export function writeUci(header: readonly string[], sections: readonly UciSection[]): string {
  const out: string[] = header.map((h) => `# ${h}`);
  for (const s of sections) {
    if (!TYPE.test(s.type) || !NAME.test(s.name)) throw new RangeError(`UCI: bad section ${s.type} ${s.name}`);
    out.push('', `config ${s.type} ${quote(s.name)}`);
    for (const [k, v] of s.options) {
      if (v === null || v === undefined) continue;
      if (!NAME.test(k)) throw new RangeError(`UCI: bad option name ${k}`);
      if (Array.isArray(v)) for (const item of v as readonly string[]) out.push(`\tlist ${k} ${quote(item)}`);
      else out.push(`\toption ${k} ${quote(scalar(v as string | number | boolean))}`);
    }
  }
  return out.join('\n') + '\n';
}

export interface ParsedSection {
  readonly type: string;
  readonly name: string | null;
  readonly options: Map<string, string>;
  readonly lists: Map<string, string[]>;
  readonly line: number;
}

export type UciParse = { readonly ok: true; readonly sections: ParsedSection[] } | { readonly ok: false; readonly errors: string[] };

/** The lines writeUci produces: a keyword, a name and one single-quoted value. */
const SIMPLE = /^\s*(option|list|config)\s+([A-Za-z0-9_-]+)\s+'((?:[^'\\]|'\\'')*)'\s*$/;

/** Splits a line into words, honouring '…', "…" and backslash escapes as libuci does. */
function words(line: string): string[] | null {
  // Fast path for the common shape; the general tokenizer below gives the same words.
  const m = SIMPLE.exec(line);
  if (m && !m[3]!.includes("'")) return [m[1]!, m[2]!, m[3]!];
  if (m) return [m[1]!, m[2]!, m[3]!.replace(/'\\''/g, "'")];
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /[ \t]/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    let w = '';
    let quoted = false;
    while (i < line.length && !/[ \t]/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return null;
        w += line.slice(i + 1, end);
        i = end + 1;
        quoted = true;
      } else if (c === '"') {
        let j = i + 1;
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < line.length) {
            w += line[j + 1];
            j += 2;
          } else w += line[j++];
        }
        if (j >= line.length) return null;
        i = j + 1;
        quoted = true;
      } else if (c === '\\' && i + 1 < line.length) {
        w += line[i + 1];
        i += 2;
      } else {
        w += c;
        i++;
      }
    }
    if (w !== '' || quoted) out.push(w);
  }
  return out;
}

/** Parses and checks one UCI file; errors name the line. */
export function parseUci(text: string): UciParse {
  const errors: string[] = [];
  const sections: ParsedSection[] = [];
  const names = new Set<string>();
  let cur: ParsedSection | null = null;
  if (text.length > 0 && !text.endsWith('\n')) errors.push('the file does not end with a newline');
  if (text.includes('\r')) errors.push('the file contains a carriage return');
  text.split('\n').forEach((raw, idx) => {
    const n = idx + 1;
    const w = words(raw);
    if (w === null) {
      errors.push(`line ${n}: unterminated quote`);
      return;
    }
    if (w.length === 0) return;
    const [kw, a, b, extra] = w;
    if (kw === 'config') {
      if (a === undefined || !TYPE.test(a)) errors.push(`line ${n}: config needs a type`);
      if (b !== undefined && !NAME.test(b)) errors.push(`line ${n}: invalid section name "${b}"`);
      if (extra !== undefined) errors.push(`line ${n}: too many words after config`);
      if (b !== undefined) {
        if (names.has(b)) errors.push(`line ${n}: duplicate section name "${b}"`);
        names.add(b);
      }
      cur = { type: a ?? '', name: b ?? null, options: new Map(), lists: new Map(), line: n };
      sections.push(cur);
    } else if (kw === 'option' || kw === 'list') {
      if (!cur) {
        errors.push(`line ${n}: ${kw} outside a config section`);
        return;
      }
      const section: ParsedSection = cur;
      if (a === undefined || !NAME.test(a)) errors.push(`line ${n}: invalid ${kw} name "${a ?? ''}"`);
      else if (b === undefined) errors.push(`line ${n}: ${kw} ${a} has no value`);
      else if (extra !== undefined) errors.push(`line ${n}: ${kw} ${a}: unquoted value with spaces`);
      else if (kw === 'option') {
        if (section.options.has(a) || section.lists.has(a)) errors.push(`line ${n}: option ${a} set twice in one section`);
        section.options.set(a, b);
      } else {
        if (section.options.has(a)) errors.push(`line ${n}: ${a} is both an option and a list`);
        section.lists.set(a, [...(section.lists.get(a) ?? []), b]);
      }
    } else if (kw === 'package') {
      // Allowed by libuci in multi-package imports; the renderers never write it.
    } else {
      errors.push(`line ${n}: unknown keyword "${kw}"`);
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, sections };
}
