/* eslint-disable @typescript-eslint/no-require-imports -- the packager (rule pack, dashboards) loads only for `tierzero package` */
import { scrubSecrets } from '../../core/config/secret';
import type { Platform } from '../platform';
import { elasticCompiler } from './compiler';
import { CheckpointMismatchError, DslValueError, ElasticRequestError, SourceIncompleteError } from './errors';
import { openElastic, probeElasticSection } from './platform';
import { ElasticAuthError, SinkRejectedError } from './sink-errors';

/** What the registry (adapters/index.ts) loads for the `elastic` config key. */
export const platform: Platform = {
  open: openElastic,
  probe: probeElasticSection,
  compiler: elasticCompiler,
  packager: () => (require('./package') as typeof import('./package')).buildElasticPackage,
  redact: scrubSecrets,
  failures: [ElasticAuthError, ElasticRequestError, SourceIncompleteError, SinkRejectedError, CheckpointMismatchError, DslValueError],
};
