import { spawn } from 'node:child_process';

/** FreeRADIUS's radclient (freeradius-utils) as a real RADIUS client. */
export function radclient(server: string, command: 'status' | 'auth' | 'acct' | 'disconnect', secret: string, attributes: string, extra: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '2', ...extra, server, command, secret], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(attributes);
  });
}
