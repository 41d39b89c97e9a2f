// Live sessions as the helpdesk console (http/console) reads them, and its disconnect button.
import type { LiveSessionSource } from '../http/console/deps.js';
import type { DisconnectReport, LiveSessions } from './live-sessions.js';

/** One line for people: what the NAS answered. */
export function describeReport(r: DisconnectReport): string {
  switch (r.outcome) {
    case 'ack':
      return 'the access point confirmed the disconnect (Disconnect-ACK): the session is ended';
    case 'nak':
      return `the access point refused (Disconnect-NAK, Error-Cause ${r.errorCause ?? '-'}: ${r.errorCauseName})${r.ended ? '; it has no such session, so it is ended' : ''}`;
    case 'no_answer':
      return `no answer from the access point after ${r.attempts} attempts`;
    default:
      return `not sent: ${r.message ?? r.outcome}`;
  }
}

export function consoleSessionSource(sessions: LiveSessions): LiveSessionSource {
  return {
    forMember: (member) =>
      sessions.forMember(member).map((s) => ({
        id: s.id,
        member: s.member,
        startedAt: new Date(s.startedAt),
        client: s.client,
        nas: s.nasIdentifier ?? s.nasIpAddress ?? s.nas,
        callingStationId: s.callingStationId,
        framedIp: s.framedIpAddress,
      })),
    disconnect: async (id) => {
      const r = await sessions.disconnectSession(id, 'admin');
      if (!r) return { ok: false, message: 'no such live session (it may have ended already)' };
      return { ok: r.ended, message: describeReport(r) };
    },
  };
}
