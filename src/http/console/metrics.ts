// The console's metrics: its two tables (read at scrape time, nothing on the request path) and
// login outcomes, so a token-guessing run shows up on a dashboard.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LoginLimiter } from './login-limiter.js';
import type { SessionTable } from './session-table.js';

export type LoginOutcome = 'ok' | 'wrong_token' | 'limited' | 'bad_form';

export interface ConsoleMetrics {
  login: (outcome: LoginOutcome) => void;
}

export function consoleMetrics(registry: Registry | undefined, sessions: SessionTable, limiter: LoginLimiter): ConsoleMetrics {
  // One set per registry: a second listener on the same registry reuses it rather than throwing.
  if (!registry || registry.getSingleMetric('certgate_console_sessions')) return { login: () => undefined };
  new Gauge({
    name: 'certgate_console_sessions',
    help: 'Helpdesk console sessions in the session table',
    registers: [registry],
    collect() {
      this.set(sessions.size);
    },
  });
  new Gauge({
    name: 'certgate_console_login_failure_entries',
    help: 'Source addresses in the console login-failure table',
    registers: [registry],
    collect() {
      this.set(limiter.size);
    },
  });
  const logins = new Counter({ name: 'certgate_console_logins_total', help: 'Console logins by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  return { login: (outcome) => logins.inc({ outcome }) };
}
