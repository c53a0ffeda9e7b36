/**
 * KQL (Kibana Query Language) literals, per the grammar in elastic/kibana
 * src/platform/packages/shared/kbn-es-query/grammar/grammar.peggy:
 * - a quoted value is an exact phrase; inside it only `\` and `"` are escaped, and tab, CR and
 *   LF may be written `\t`, `\r`, `\n`;
 * - an unquoted value treats `*` as a wildcard and reserves `\ ( ) : < > " * { }`, each escaped
 *   with `\`; `and`, `or`, `not` standing alone are keywords (escaped `\and`), whitespace
 *   inside is kept but a leading or trailing space is trimmed by the parser, so such a value
 *   cannot be written unquoted.
 * The pack writes KQL only where a rule type requires it (the promotion rule's `query`): the
 * detectors' own single-event rules are EQL, because KQL cannot compare keyword fields
 * ignoring case.
 */
export function kqlQuoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
}

const KQL_SPECIAL = /[\\():<>"*{}]/g;

/**
 * An unquoted KQL value with every character literal except `*` where `wildcards` allows it
 * (pass the parts: literal text, and `'*'` for a wildcard).
 */
export function kqlUnquoted(parts: readonly (string | { wildcard: true })[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p.replace(KQL_SPECIAL, '\\$&').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n') : '*';
  if (out === '' || /^\s|\s$/.test(out)) throw new Error(`KQL cannot write ${JSON.stringify(out)} unquoted: the parser trims it`);
  // A keyword on its own (or as a whole word between spaces) would be read as an operator.
  return out.replace(/(^|\s)(and|or|not)(?=\s|$)/gi, '$1\\$2');
}

/** A field name: the grammar reads it as a literal, so one with a reserved character or a space is quoted. */
export function kqlField(name: string): string {
  return /^[A-Za-z0-9_@.-]+$/.test(name) ? name : kqlQuoted(name);
}
