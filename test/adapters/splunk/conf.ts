import { readFileSync } from 'node:fs';

/** A .conf file as splunkd reads it: stanzas of `key = value`, `#` comments, `\` continuations. */
export type Conf = Map<string, Map<string, string>>;

export function readConf(path: string): Conf {
  const conf: Conf = new Map();
  let stanza = conf.get('default') ?? new Map<string, string>();
  conf.set('default', stanza);
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trimEnd();
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)}\n${lines[++i] ?? ''}`;
    const t = line.trim();
    // `*` lines are the prose of .spec files.
    if (t === '' || t.startsWith('#') || t.startsWith('*')) continue;
    const m = /^\[(.*)\]$/.exec(t);
    if (m) {
      stanza = conf.get(m[1] as string) ?? new Map<string, string>();
      conf.set(m[1] as string, stanza);
      continue;
    }
    const eq = t.indexOf('=');
    if (eq < 0) throw new Error(`${path}:${i + 1}: not a key = value line: ${t}`);
    stanza.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return conf;
}
