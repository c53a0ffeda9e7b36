import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SearchFailedError, SourceIncompleteError } from './errors';
import { TransportError } from './http';
import type { SplunkResult } from './field-map';
import { scrubSecrets } from '../../core/config/secret';

/**
 * Reads `search/jobs/export?output_mode=json` as it arrives: one JSON object per line,
 * `{"preview":false,"offset":n,"result":{…}}`, the final row flagged `"lastrow":true`, with
 * `{"messages":[…]}` objects in between (splunk-sdk-python `JSONResultsReader`). Memory is one
 * line at a time. A search with a reporting command (our `sort`) may first stream preview rows;
 * they are superseded by the final rows and skipped.
 */
export interface ExportMessage {
  readonly type: string;
  readonly text: string;
}

export async function* readExport(body: Readable, maxLineBytes: number, onMessage: (m: ExportMessage) => void): AsyncGenerator<SplunkResult> {
  // A multi-byte character can straddle two chunks: decode across them.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let finalRows = 0;
  let sawLastRow = false;
  const handle = function* (line: string): Generator<SplunkResult> {
    if (line.trim() === '') return;
    let doc: ExportLine;
    try {
      doc = JSON.parse(line) as ExportLine;
    } catch {
      throw new SourceIncompleteError(`export stream has a line that is not JSON (${line.length} bytes): the response was cut or is not output_mode=json`);
    }
    for (const m of doc.messages ?? []) {
      const message = { type: String(m.type ?? 'INFO'), text: scrubSecrets(String(m.text ?? '')) };
      if (message.type === 'FATAL' || message.type === 'ERROR') throw new SearchFailedError(`Splunk search failed: ${message.type}: ${message.text}`);
      onMessage(message);
    }
    if (doc.preview === true) return;
    if (doc.lastrow === true) sawLastRow = true;
    if (doc.result && typeof doc.result === 'object') {
      finalRows++;
      yield doc.result;
    }
  };
  try {
    for await (const chunk of body) {
      pending += decoder.write(chunk as Buffer);
      // Walk the lines of the buffer, then keep the unfinished tail: one copy per chunk, not per line.
      let start = 0;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        yield* handle(pending.slice(start, nl));
        start = nl + 1;
        nl = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      if (pending.length > maxLineBytes) throw new SourceIncompleteError(`export row longer than ${maxLineBytes} bytes`);
    }
  } catch (e) {
    if (e instanceof SearchFailedError || e instanceof SourceIncompleteError) throw e;
    throw new TransportError(`export stream broke off after ${finalRows} rows: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
  }
  yield* handle(pending + decoder.end());
  // An empty result set may come back as an empty body; rows without the last-row flag mean a cut.
  if (finalRows > 0 && !sawLastRow) throw new TransportError(`export stream ended after ${finalRows} rows without its last row`, 'ETRUNCATED');
}

interface ExportLine {
  readonly preview?: boolean;
  readonly offset?: number;
  readonly lastrow?: boolean;
  readonly result?: SplunkResult;
  readonly messages?: readonly { readonly type?: unknown; readonly text?: unknown }[];
}
