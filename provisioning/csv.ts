/**
 * CSV as RFC 4180 defines it: comma-separated, CRLF or LF line ends, fields
 * with commas, quotes or line breaks in double quotes, a quote inside
 * doubled. Exported cells starting with = + - @ (a spreadsheet formula)
 * get a leading apostrophe (OWASP "CSV injection").
 */

export type CsvParse = { readonly ok: true; readonly rows: string[][] } | { readonly ok: false; readonly line: number; readonly reason: string };

export function parseCsv(text: string): CsvParse {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  let quoted = false;
  let fieldStarted = false;
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    // A blank line is no row.
    if (!(row.length === 1 && row[0] === '' && !fieldStarted)) rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') return { ok: false, line, reason: 'text after a closing quote' };
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') return { ok: false, line, reason: 'a quote inside an unquoted field' };
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
      i++;
    } else if (c === '\r' && src[i + 1] === '\n') {
      endRow();
      line++;
      i += 2;
    } else if (c === '\n') {
      endRow();
      line++;
      i++;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) return { ok: false, line, reason: 'a quoted field is not closed' };
  if (field !== '' || row.length || fieldStarted) endRow();
  return { ok: true, rows };
}

function cell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
