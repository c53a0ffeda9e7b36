import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The shared labelled datasets (../shared/datasets), read as the tests need them. */
export const DATASETS = join(__dirname, '../../../../shared/datasets');

export interface DatasetEntry {
  readonly file: string;
  readonly expected_alerts: readonly string[];
  readonly acceptable_alerts: readonly string[];
  readonly context?: Record<string, unknown>;
}

export function datasetsPresent(): boolean {
  return existsSync(join(DATASETS, 'manifest.json'));
}

export function manifest(): DatasetEntry[] {
  return JSON.parse(readFileSync(join(DATASETS, 'manifest.json'), 'utf8')) as DatasetEntry[];
}

/** A dataset's records in time order (a file is one export; merged files may interleave). */
export function records(file: string): Record<string, unknown>[] {
  return jsonl(join(DATASETS, file));
}

export function jsonl(path: string): Record<string, unknown>[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // Malformed lines are the quarantine's business, not the rules'.
    }
  }
  const time = (r: Record<string, unknown>): number => Date.parse(String(r['TimeCreated'] ?? r['TimeGenerated'] ?? '')) || 0;
  return out.sort((a, b) => time(a) - time(b));
}
