// FreeRADIUS 3.2 as the home server of another realm, for the eduroam tests: the approach of
// /work/shared/peers/freeradius.sh (a copy of /etc/freeradius/3.0 in a temporary folder, EAP-TLS on
// given certificates, loopback only), plus an optional RADIUS-over-TLS listener (RFC 6614) built
// from sites-available/tls. Runs in the foreground as our child; stop() ends it by its pid.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { radclient } from './radclient.js';

export interface HomeServerOptions {
  dir: string;
  /** UDP authentication port. */
  port: number;
  secret: string;
  serverCert: string;
  serverKey: string;
  /** CA that visitors' client certificates chain to. */
  clientCa: string;
  /** RadSec: TCP port, and the CA our RadSec client certificate chains to. */
  radsec?: { port: number; clientCa: string };
}

export interface HomeServer {
  port: number;
  stop(): Promise<void>;
  log(): string;
}

/** A loopback port nothing listens on right now, free for UDP and TCP alike. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

export async function startHomeServer(o: HomeServerOptions): Promise<HomeServer> {
  const d = o.dir;
  rmSync(d, { recursive: true, force: true });
  cpSync('/etc/freeradius/3.0', d, { recursive: true, dereference: false });
  mkdirSync(join(d, 'log'), { recursive: true });
  mkdirSync(join(d, 'run'), { recursive: true });
  mkdirSync(join(d, 'capath'), { recursive: true });
  writeFileSync(join(d, 'clients.conf'), `client lo {\n  ipaddr = 127.0.0.0/8\n  secret = ${o.secret}\n  require_message_authenticator = yes\n}\n`);
  rmSync(join(d, 'mods-enabled', 'eap'), { force: true });
  for (const f of ['default', 'inner-tunnel']) rmSync(join(d, 'sites-enabled', f), { force: true });
  writeFileSync(
    join(d, 'mods-enabled', 'eap'),
    `eap {
  default_eap_type = tls
  timer_expire = 60
  max_sessions = \${max_requests}
  tls-config tls-common {
    private_key_file = ${o.serverKey}
    certificate_file = ${o.serverCert}
    ca_file = ${o.clientCa}
    ca_path = ${d}/capath
    cipher_list = "DEFAULT"
    tls_min_version = "1.2"
    tls_max_version = "1.3"
    fragment_size = 1024
  }
  tls {
    tls = tls-common
  }
}
`,
  );
  writeFileSync(
    join(d, 'sites-enabled', 'peer'),
    `server peer {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${o.port}
  }
  authorize {
    eap { ok = return }
  }
  authenticate {
    eap
  }
  post-auth {
    Post-Auth-Type REJECT {
      attr_filter.access_reject
      eap
      remove_reply_message_if_eap
    }
  }
}
`,
  );
  if (o.radsec) {
    // From sites-available/tls: a TLS listener with mutual certificates, its own client list.
    writeFileSync(
      join(d, 'sites-enabled', 'radsec'),
      `listen {
  ipaddr = 127.0.0.1
  port = ${o.radsec.port}
  type = auth
  proto = tcp
  virtual_server = peer
  clients = radsec
  limit {
    max_connections = 16
    lifetime = 0
    idle_timeout = 30
  }
  tls {
    private_key_file = ${o.serverKey}
    certificate_file = ${o.serverCert}
    ca_file = ${o.radsec.clientCa}
    ca_path = ${d}/capath
    fragment_size = 8192
    cipher_list = "DEFAULT"
    tls_min_version = "1.2"
    tls_max_version = "1.3"
    require_client_cert = yes
    cache {
      enable = no
    }
  }
}
clients radsec {
  client lo {
    ipaddr = 127.0.0.1
    proto = tls
    secret = radsec
  }
}
`,
    );
  }
  const conf = join(d, 'radiusd.conf');
  execFileSync('sed', ['-i', '-e', 's|^\\(\\s*\\)user = freerad|\\1user = root|', '-e', 's|^\\(\\s*\\)group = freerad|\\1group = root|', '-e', `s|^logdir = .*|logdir = ${d}/log|`, '-e', `s|^run_dir = .*|run_dir = ${d}/run|`, conf]);
  try {
    execFileSync('freeradius', ['-C', '-d', d], { stdio: 'pipe' });
  } catch (e) {
    const out = (() => {
      try {
        return execFileSync('freeradius', ['-XC', '-d', d], { encoding: 'utf8', stdio: 'pipe' });
      } catch (x) {
        return String((x as { stdout?: string }).stdout ?? x);
      }
    })();
    throw new Error(`FreeRADIUS configuration check failed: ${out.split('\n').slice(-15).join('\n')}`);
  }
  const child: ChildProcess = spawn('freeradius', ['-f', '-d', d], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Ready once it answers Status-Server.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await radclient(`127.0.0.1:${o.port}`, 'status', o.secret, 'Message-Authenticator = 0x00\n');
    if (r.output.includes('Received Access-Accept')) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`FreeRADIUS did not come up: ${output}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return {
    port: o.port,
    log: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
