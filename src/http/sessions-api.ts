// The admin API's live sessions (docs/policy-and-sessions.md), behind the same bearer token:
//   GET  /v1/sessions?member=EMAIL[&limit=N]      the member's live sessions (no member: the newest N)
//   POST /v1/sessions/disconnect {"member": …}    RFC 5176 Disconnect for each of them
//   POST /v1/sessions/disconnect {"id": …}        … or for one session
// A disconnect answers once every NAS has answered or the retries ran out (a few seconds).
import type http from 'node:http';
import type { DisconnectReport, LiveSessions } from '../sessions/live-sessions.js';
import { sessionView } from '../sessions/live-sessions.js';
import { type Reply, json } from './reply.js';

export type SessionsAdmin = Pick<LiveSessions, 'forMember' | 'list' | 'disconnectMember' | 'disconnectSession'>;

const MAX_LIST = 10_000;

export async function handleSessions(
  req: http.IncomingMessage,
  url: URL,
  sessions: SessionsAdmin | undefined,
  audit: (action: string, fields: Record<string, unknown>) => void,
  /** The admin API's bounded body reader (undefined: too large). */
  readBody: () => Promise<Buffer | undefined>,
): Promise<Reply> {
  if (!sessions) return json(404, { error: 'sessions_off', message: 'live sessions are not available on this gateway' });
  const path = url.pathname;
  if (path === '/v1/sessions' && req.method === 'GET') {
    const member = url.searchParams.get('member')?.trim().toLowerCase();
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, MAX_LIST);
    const rows = member ? sessions.forMember(member).slice(0, limit) : sessions.list(limit);
    return json(200, { sessions: rows.map(sessionView) });
  }
  if (path === '/v1/sessions/disconnect' && req.method === 'POST') {
    const body = await readBody();
    if (body === undefined) return json(413, { error: 'too_large', message: 'the body is too large' });
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return json(400, { error: 'bad_json', message: 'the body must be JSON such as {"member": "alice@jaist.ac.jp"} or {"id": "…"}' });
    }
    const { member, id } = (input ?? {}) as { member?: unknown; id?: unknown };
    if ((typeof member === 'string') === (typeof id === 'string')) {
      return json(400, { error: 'bad_request', message: 'give exactly one of "member" (an e-mail) or "id" (a session id from GET /v1/sessions)' });
    }
    let results: DisconnectReport[];
    if (typeof member === 'string') {
      results = await sessions.disconnectMember(member.trim().toLowerCase(), 'admin');
      if (results.length === 0) return json(404, { error: 'no_sessions', message: `no live session of ${member}` });
    } else {
      const r = sessions.disconnectSession(id as string, 'admin');
      if (!r) return json(404, { error: 'no_sessions', message: `no live session with id ${id as string}` });
      results = [await r];
    }
    audit('sessions_disconnect', { ...(typeof member === 'string' ? { member } : { session: id }), outcomes: results.map((r) => r.outcome) });
    return json(200, { results });
  }
  return json(405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` });
}
