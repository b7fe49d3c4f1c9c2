// Settings › Data folder: where netmon keeps its data, how much, whether writes reach the disk, and
// what a salvage recovered from a damaged database.
import type { StatusInfo } from '../../src-shared/contract/types.js';
import { formatBytes } from '../lib/format.js';
import { recoveredText } from '../lib/storage-text.js';

/** The data folder's facts from a status answer. */
export function DataFolderFacts({ status }: { status: StatusInfo }) {
  return (
    <dl className="facts" data-testid="data-folder">
      <dt>folder</dt>
      <dd>
        <code>{status.dataDir}</code>
      </dd>
      <dt>size</dt>
      <dd>{formatBytes(status.dataBytes)} (database, logs and settings)</dd>
      <dt>storage</dt>
      <dd data-testid="storage-state">
        {status.storage.ok ? 'writing normally' : `cannot save: ${status.storage.error ?? 'unknown error'}`}
        {status.storage.pendingRows > 0 && ` · ${status.storage.pendingRows} rows waiting in memory`}
      </dd>
      {status.storage.recoveredTo !== null && (
        <>
          <dt>recovered</dt>
          <dd data-testid="storage-recovered">{recoveredText(status.storage)}</dd>
        </>
      )}
    </dl>
  );
}
