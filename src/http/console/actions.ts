// The console's two actions. Each runs only after the confirmation form (checkbox ticked) and
// writes one audit line naming the operator.
import type { CertRecord, RevocationReason } from '../../store/types.js';
import type { Reply } from '../reply.js';
import type { ConsoleDeps } from './deps.js';
import type { Viewer } from './layout.js';
import { certHref, memberHref } from './layout.js';
import { htmlReply, redirect } from './page-reply.js';
import { CONSOLE_REVOCATION_REASONS, disconnectConfirmPage, revokeConfirmPage } from './pages/confirm.js';
import { messagePage } from './pages/message.js';
import { withSerial } from './views.js';

async function findCertificate(deps: ConsoleDeps, serial: string, issuer: string | null): Promise<CertRecord[]> {
  return (await withSerial(deps, serial)).filter((r) => issuer === null || r.issuer === issuer);
}

export async function revokeForm(deps: ConsoleDeps, viewer: Viewer, serial: string, issuer: string | null): Promise<Reply> {
  const matches = await findCertificate(deps, serial, issuer);
  if (matches.length === 0) return htmlReply(404, messagePage('Not found', viewer, `No certificate with serial ${serial} is in the store.`));
  if (matches.length > 1) return ambiguous(viewer, serial);
  const r = matches[0]!;
  if (r.status === 'revoked') return redirect(`${certHref(serial)}`);
  return htmlReply(200, revokeConfirmPage(r, viewer));
}

export async function revoke(deps: ConsoleDeps, viewer: Viewer, serial: string, form: URLSearchParams, now: Date): Promise<Reply> {
  const matches = await findCertificate(deps, serial, form.get('issuer') || null);
  if (matches.length === 0) return htmlReply(404, messagePage('Not found', viewer, `No certificate with serial ${serial} is in the store.`));
  if (matches.length > 1) return ambiguous(viewer, serial);
  const r = matches[0]!;
  const reason = form.get('reason') ?? '';
  if (!(CONSOLE_REVOCATION_REASONS as readonly string[]).includes(reason)) {
    return htmlReply(400, revokeConfirmPage(r, viewer, 'Choose the reason for revoking.'));
  }
  if (form.get('confirm') !== 'yes') {
    return htmlReply(400, revokeConfirmPage(r, viewer, 'Tick the box to confirm that this is the certificate to revoke.', reason));
  }
  const out = await deps.store.revoke(serial, reason as RevocationReason, now, r.issuer);
  await deps.changed();
  switch (out.outcome) {
    case 'revoked':
      deps.audit('certificate_revoke', { via: 'console', operator: viewer.operator, serial, member: out.record.member, issuer: out.record.issuer, reason });
      return redirect(`${memberHref(out.record.member)}?revoked=${encodeURIComponent(serial)}`);
    case 'already_revoked':
      return redirect(`${memberHref(out.record.member)}?revoked=${encodeURIComponent(serial)}`);
    case 'not_found':
      return htmlReply(404, messagePage('Not found', viewer, `No certificate with serial ${serial} is in the store.`));
    case 'ambiguous':
      return ambiguous(viewer, serial);
  }
}

export async function disconnectForm(deps: ConsoleDeps, viewer: Viewer, id: string, member: string, now: Date): Promise<Reply> {
  const s = deps.sessions && (await deps.sessions.forMember(member, now)).find((x) => x.id === id);
  if (!s) return htmlReply(404, messagePage('Not found', viewer, 'That session is no longer live.'));
  return htmlReply(200, disconnectConfirmPage(s, viewer));
}

export async function disconnect(deps: ConsoleDeps, viewer: Viewer, id: string, form: URLSearchParams, now: Date): Promise<Reply> {
  const member = (form.get('member') ?? '').trim().toLowerCase();
  const s = deps.sessions && (await deps.sessions.forMember(member, now)).find((x) => x.id === id);
  if (!deps.sessions || !s) return htmlReply(404, messagePage('Not found', viewer, 'That session is no longer live.'));
  if (form.get('confirm') !== 'yes') return htmlReply(400, disconnectConfirmPage(s, viewer, 'Tick the box to confirm the disconnect.'));
  const r = await deps.sessions.disconnect(id, now);
  deps.audit('session_disconnect', { via: 'console', operator: viewer.operator, member, session: id, nas: s.nas, ok: r.ok, message: r.message });
  return redirect(`${memberHref(member)}?disconnect=${r.ok ? 'ok' : 'failed'}`);
}

const ambiguous = (viewer: Viewer, serial: string): Reply =>
  htmlReply(409, messagePage('Several certificates', viewer, `Several issuers used serial ${serial}: open the certificate from the member's page to choose one.`));
