/**
 * A service whose "binary" is a command line: a command interpreter with a command (`cmd /c …`,
 * `%COMSPEC% /b /c start … powershell -nop -w hidden`, `powershell -enc …`). The service control
 * manager starts it, the command runs as SYSTEM, and the "service" never reports running (7009).
 * That is how service-based execution tools run each command (PsExec-likes in Metasploit,
 * Empire, Impacket smbexec, CrackMapExec) and how getsystem-style escalation gets a SYSTEM
 * token; real services point at an executable. Sources: Impacket smbexec.py and Metasploit
 * psexec_psh build exactly such binPaths; MS docs on `sc create binPath=`.
 */
const INTERPRETER = /^\s*"?(?:%comspec%|(?:[a-z]:\\[^"]*\\)?(?:cmd|powershell|pwsh)(?:\.exe)?)"?\s+(.*)$/i;
/** cmd's "run this and stop/stay" switches, or PowerShell's inline-command switches. */
const RUNS_A_COMMAND = /(?:^|\s)(?:\/[ckr]\b|-(?:c|command|e|ec|enc|encodedcommand|nop|noprofile|w|windowstyle|file)\b)/i;

export function isCommandLineService(imagePath: string | undefined): boolean {
  if (!imagePath) return false;
  const m = INTERPRETER.exec(imagePath);
  return m !== null && RUNS_A_COMMAND.test(` ${m[1] ?? ''}`);
}
