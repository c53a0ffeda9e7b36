/**
 * A UTF-8 byte-order mark at the start of a config file (Windows Notepad and PowerShell's
 * `Out-File -Encoding utf8` write one) is not JSON, and JSON.parse's error would show it as an
 * invisible character. RFC 8259 §8.1 lets a parser ignore it, so every config reader does.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
