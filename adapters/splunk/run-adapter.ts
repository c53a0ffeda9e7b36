import { SearchFailedError, SinkAckTimeoutError, SinkRejectedError, SourceAuthError, SourceIncompleteError, SplunkRequestError, SplValueError } from './errors';
import { TransportError } from './http';
import type { PlatformAdapter } from '../platform';
import { openSplunk } from './platform';
import { scrubSecrets } from '../../core/config/secret';

/** What `tierzero run` loads for the `splunk` section (cli/run.ts PLATFORMS). */
export const adapter: PlatformAdapter = {
  open: openSplunk,
  redact: scrubSecrets,
  failures: [SourceAuthError, SplunkRequestError, SourceIncompleteError, SearchFailedError, SinkRejectedError, SinkAckTimeoutError, SplValueError, TransportError],
};
