import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import type { Quarantine, QuarantinedRecord } from '../../core/engine/ports';
import { FileIoError } from './io-error';

/**
 * Malformed records, one JSON line each with the reason and where it came from. The file
 * is created on the first record only, so a clean run leaves nothing behind.
 */
export class FileQuarantine implements Quarantine {
  private fd: number | undefined;
  count = 0;

  constructor(readonly path: string) {}

  put(r: QuarantinedRecord): void {
    try {
      this.fd ??= openSync(this.path, 'a', 0o600);
      appendFileSync(this.fd, `${JSON.stringify({ reason: r.reason, origin: r.origin, text: r.text })}\n`);
    } catch (e) {
      throw FileIoError.from('cannot write quarantined records to', this.path, e);
    }
    this.count++;
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Counts and keeps quarantined records in memory (eval, tests). */
export class MemoryQuarantine implements Quarantine {
  readonly records: QuarantinedRecord[] = [];
  put(r: QuarantinedRecord): void {
    this.records.push(r);
  }
  async close(): Promise<void> {}
}
