/**
 * Many rows in one statement: one array bind per column, unnested back into
 * rows server-side. A batch of any size costs one round trip and a fixed
 * number of binds (a VALUES list would need rows × columns, capped at 65535).
 */

export type ColumnType = 'text' | 'bigint' | 'timestamptz';

export interface Column<T> {
  readonly name: string;
  readonly type: ColumnType;
  readonly get: (row: T) => unknown;
}

export interface Unnested {
  /** `unnest($1::text[], …) WITH ORDINALITY AS v(col, …, ord)`: order by `v.ord` to keep the rows' order. */
  readonly from: string;
  /** The columns' names, comma-separated, in order. */
  readonly names: string;
  readonly binds: unknown[][];
}

/** `first` is the number of the first bind, for statements with binds of their own before these. */
export function unnest<T>(columns: readonly Column<T>[], rows: readonly T[], first = 1): Unnested {
  const arrays = columns.map((c) => `$${first++}::${c.type}[]`).join(', ');
  const names = columns.map((c) => c.name).join(', ');
  return {
    from: `unnest(${arrays}) WITH ORDINALITY AS v(${names}, ord)`,
    names,
    binds: columns.map((c) => rows.map(c.get)),
  };
}
