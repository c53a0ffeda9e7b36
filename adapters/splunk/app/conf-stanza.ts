/** One .conf stanza; values are single lines (a trailing backslash or newline would continue or break it). */
export function stanza(name: string, values: Readonly<Record<string, string>>): string {
  if (/[\]\r\n]/.test(name)) throw new Error(`bad stanza name ${JSON.stringify(name)}`);
  const lines = [`[${name}]`];
  for (const [k, v] of Object.entries(values)) {
    if (/[\r\n]/.test(v) || v.endsWith('\\')) throw new Error(`${name}.${k}: .conf values must be one line without a trailing backslash`);
    lines.push(`${k} = ${v}`);
  }
  return `${lines.join('\n')}\n`;
}
