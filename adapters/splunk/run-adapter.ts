/* eslint-disable @typescript-eslint/no-require-imports -- the packager pulls in esbuild: loaded only by `tierzero package` */
import { SearchFailedError, SinkAckTimeoutError, SinkRejectedError, SourceAuthError, SourceIncompleteError, SplunkRequestError, SplValueError } from './errors';
import { TransportError } from './http';
import type { Platform } from '../platform';
import { splCompiler } from './compiler';
import { openSplunk } from './platform';
import { probeSplunk } from './probe';
import { scrubSecrets } from '../../core/config/secret';

/** What the registry (adapters/index.ts) loads for the `splunk` config key. */
export const platform: Platform = {
  open: openSplunk,
  probe: probeSplunk,
  compiler: splCompiler,
  packager: () => (require('./app/build') as typeof import('./app/build')).buildSplunkApp,
  redact: scrubSecrets,
  failures: [SourceAuthError, SplunkRequestError, SourceIncompleteError, SearchFailedError, SinkRejectedError, SinkAckTimeoutError, SplValueError, TransportError],
};
