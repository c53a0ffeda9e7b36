/**
 * A small YAML writer for the analytic rule files (Azure/Azure-Sentinel `Analytic Rules/*.yaml`
 * are block-style YAML): mappings and sequences in block style, scalars as JSON double-quoted
 * strings (a JSON string is a valid YAML double-quoted scalar, YAML 1.2 §7.3.1), numbers and
 * booleans bare, and multi-line text (the query) as a literal block `|2-` (explicit indentation, so a line that starts with spaces stays verbatim).
 */
export function toYaml(value: unknown): string {
  return `${block(value, 0).join('\n')}\n`;
}

function block(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      const lines = block(item, indent + 2);
      const first = (lines[0] as string).slice(indent + 2);
      return [`${pad}- ${first}`, ...lines.slice(1)];
    });
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, v]) => {
      const key = `${pad}${scalar(k)}:`;
      if (typeof v === 'string' && v.includes('\n')) return [`${key} |2-`, ...v.split('\n').map((l) => (l === '' ? '' : `${pad}  ${l}`))];
      if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) return [key, ...block(v, indent + 2)];
      return [`${key} ${inline(v)}`];
    });
  }
  return [`${pad}${inline(value)}`];
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (v !== null && typeof v === 'object') return '{}';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return scalar(String(v));
}

/** Keys and strings: bare when plainly safe, JSON-quoted otherwise. */
function scalar(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s) ? s : JSON.stringify(s);
}
