import { strict as assert } from 'node:assert';
import { isCommandLineService } from '../../../../core/estate/remote-execution/command-service';

describe('command-line service binary paths', () => {
  for (const path of [
    '%COMSPEC% /b /c start /b /min powershell.exe -nop -w hidden -c if([IntPtr]::Size -eq 4){$b=1}',
    '%COMSPEC% /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat',
    'c:\\windows\\system32\\cmd.exe /c powershell -command "Get-Service"',
    'cmd.exe /c echo genusn > \\\\.\\pipe\\genusn',
    'cmd.exe /k tscon 2 /dest rdp-tcp#14',
    'C:\\Windows\\System32\\WindowsPowershell\\v1.0\\powershell -noP -sta -w 1 -enc SQBmACgA',
    '"C:\\Windows\\System32\\cmd.exe" /c whoami',
  ]) {
    it(`recognises ${path.slice(0, 40)}…`, () => assert.equal(isCommandLineService(path), true));
  }

  for (const path of [
    '%SystemRoot%\\PSEXESVC.exe',
    'C:\\Windows\\System32\\GruntHTTP2.exe',
    '"C:\\Program Files\\Vendor\\agent.exe" -service',
    'C:\\Windows\\system32\\svchost.exe -k netsvcs -p',
    'cmd.exe',
    'calc.exe',
  ]) {
    it(`leaves a real service binary alone: ${path}`, () => assert.equal(isCommandLineService(path), false));
  }
});
