/**
 * Text from data (account names, host names, quarantine reasons, descriptions) shown on a
 * terminal with every control character made visible: an attacker chooses the account name in
 * a failed logon, and `\x1b[2J`, `\x1b]0;…\x07` or a bare `\r` would otherwise clear the
 * analyst's screen, retitle the window or overwrite the line above. Bidi overrides (U+202E
 * "Trojan Source", CVE-2021-42574) and zero-width characters reorder or hide what is read.
 * JSON output keeps every value exact: `jsonText` only writes as `\uXXXX` escapes the characters
 * JSON.stringify leaves raw (C1 controls, bidi overrides), which parse back to the same string.
 */

// C0 and DEL, C1 (U+0080–U+009F: 0x9b is a one-byte CSI), Arabic letter mark, zero-width
// space/joiners and LRM/RLM, line/paragraph separators, bidi embeddings/overrides/isolates, BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function visible(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// JSON.stringify escapes C0 itself; these it leaves raw. They can only occur inside strings.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** JSON.stringify, with the characters a terminal could obey escaped: the parsed value is unchanged. */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
