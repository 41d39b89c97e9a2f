// A tiny browser stand-in for the console tests: keeps the cookies it is given and reads the
// hidden form fields, with redirects left visible.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createHttpServer } from '../../../src/http/server.js';
import type { ConsoleDeps } from '../../../src/http/console/deps.js';

export async function startConsoleServer(deps: ConsoleDeps): Promise<{ base: string; server: http.Server; close: () => Promise<void> }> {
  const server = createHttpServer({
    readiness: () => ({ ready: true, parts: {} }),
    registry: new Registry(),
    admin: () => undefined,
    console: () => deps,
    onError: (err) => {
      throw err;
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await fetch(this.base + path, { redirect: 'manual', headers: { ...this.cookieHeader(), ...headers } }));
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(
      await fetch(this.base + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader(), ...headers },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** GET the login form, then log in; returns the login answer. */
  async login(operator: string, token: string): Promise<Response> {
    const page = await (await this.get('/console')).text();
    return this.post('/console/login', { operator, token, login_csrf: hidden(page, 'login_csrf'), next: hidden(page, 'next') });
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private keep(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

/** The value of a hidden input in a page. */
export function hidden(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m) throw new Error(`no hidden field ${name} in the page`);
  return m[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
