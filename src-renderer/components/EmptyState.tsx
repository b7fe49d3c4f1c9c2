import type { ReactNode } from 'react';

/** What a view shows instead of a blank chart: what is happening, and what to do if anything. */
export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty" role="status" data-testid={testId ?? 'empty'}>
      <strong>{title}</strong>
      {children}
    </div>
  );
}
