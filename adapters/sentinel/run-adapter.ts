/* eslint-disable @typescript-eslint/no-require-imports -- the packager pulls in esbuild: loaded only by `tierzero package` */
import { scrubSecrets } from '../../core/config/secret';
import type { Platform } from '../platform';
import { sentinelCompiler } from './compiler';
import { CredentialUnavailableError } from './credentials';
import { KqlValueError, LogAnalyticsQueryError, PartialResultError, SentinelAuthError, SentinelCheckpointError } from './errors';
import { openSentinel, probeSentinelSection } from './platform';
import { IngestionFailedError, StateStorageError } from './write-errors';

/** What the registry (adapters/index.ts) loads for the `sentinel` config key. */
export const platform: Platform = {
  open: openSentinel,
  probe: probeSentinelSection,
  compiler: sentinelCompiler,
  packager: () => (require('./package') as typeof import('./package')).buildSentinelPackage,
  redact: scrubSecrets,
  failures: [SentinelAuthError, CredentialUnavailableError, LogAnalyticsQueryError, PartialResultError, SentinelCheckpointError, KqlValueError, IngestionFailedError, StateStorageError],
};
