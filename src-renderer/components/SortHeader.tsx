import type { SortDir } from '../lib/selectors.js';

/** A column header that sorts its table: a button, with the direction announced through `aria-sort`. */
export function SortHeader<K extends string>({
  label,
  column,
  sort,
  onSort,
  numeric = false,
  title,
}: {
  label: string;
  column: K;
  sort: { key: K; dir: SortDir };
  onSort: (next: { key: K; dir: SortDir }) => void;
  numeric?: boolean;
  title?: string;
}) {
  const active = sort.key === column;
  const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th className={numeric ? 'num' : undefined} aria-sort={ariaSort} scope="col">
      <button
        type="button"
        className="sort"
        data-active={active}
        data-column={column}
        title={title}
        onClick={() => onSort({ key: column, dir: active ? (sort.dir === 'asc' ? 'desc' : 'asc') : numeric ? 'desc' : 'asc' })}
      >
        {label}
        {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
}
