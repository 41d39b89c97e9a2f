import type { DecisionRecord } from '../../../obs/decision-ring.js';
import type { CertRecord } from '../../../store/types.js';
import { certificatesTable, renewalReminder, statusBadge } from '../cert-table.js';
import { decisionsTable } from '../decision-table.js';
import type { LiveSession } from '../deps.js';
import { type Html, html } from '../html.js';
import { type Viewer, page, timeEl } from '../layout.js';
import { daysLeft } from '../overview-data.js';
import { type ReasonContext, day, noDecisionsText, reasonText } from '../reason-text.js';

export interface MemberView {
  member: string;
  now: Date;
  /** Newest (current) first. */
  certificates: CertRecord[];
  /** Newest first. */
  decisions: DecisionRecord[];
  ctx: ReasonContext;
  ringCapacity: number;
  /** null: no sessions source on this gateway. */
  sessions: LiveSession[] | null;
  notice: Html | null;
}

export function memberPage(v: MemberView, viewer: Viewer): Html {
  const current = v.certificates[0];
  return page(
    v.member,
    viewer,
    html`<h1>${v.member}</h1>
<p class="sub">${v.certificates.length} certificate${v.certificates.length === 1 ? '' : 's'} in the store · ${v.decisions.length} recent login${v.decisions.length === 1 ? '' : 's'}</p>
${v.notice && html`<p class="notice" role="status">${v.notice}</p>`}
${verdict(v, current)}
<section class="card">
<h2>Certificates</h2>
${renewalReminder(current, v.now)}
${certificatesTable(v.certificates, v.now, current?.serial ?? null)}
</section>
${sessionsCard(v)}
<section class="card">
<h2>Recent logins</h2>
${v.decisions.length === 0 ? html`<p class="empty">${noDecisionsText(v.member, v.ringCapacity)}</p>` : decisionsTable(v.decisions, v.ctx)}
</section>`,
    v.member,
  );
}

/** The answer in one look: what happened at the last login, and the state of the current certificate. */
function verdict(v: MemberView, current: CertRecord | undefined): Html {
  const last = v.decisions[0];
  const certLine = current
    ? html`<p>Current certificate <span class="mono">${current.serial}</span>: ${statusBadge(current, v.now)} ${currentState(current, v.now)}</p>`
    : html`<p>No certificate for this member in the store: the member has to get one from the certificate portal first.</p>`;
  if (!last) return html`<div class="verdict unknown"><p><strong>No login seen.</strong> ${noDecisionsText(v.member, v.ringCapacity)}</p>${certLine}</div>`;
  const where = html`from ${last.client}${last.callingStationId && html` (device ${last.callingStationId})`}`;
  if (last.result === 'accept') {
    return html`<div class="verdict ok"><p><strong>The last login was accepted</strong>, ${timeEl(last.time)} ${where}.</p>${certLine}</div>`;
  }
  return html`<div class="verdict bad"><p><strong>The last login was refused</strong>, ${timeEl(last.time)} ${where}:</p><p>${reasonText(last, v.ctx)}.</p>${certLine}</div>`;
}

function currentState(c: CertRecord, now: Date): string {
  if (c.status === 'revoked') return `since ${c.revokedAt ? day(c.revokedAt) : 'earlier'}: the member needs a new certificate from the certificate portal.`;
  const n = daysLeft(c.notAfter, now);
  if (n < 0) return `since ${day(c.notAfter)}: the member has to renew it on the certificate portal.`;
  return `until ${day(c.notAfter)} (${n.toLocaleString('en-US')} day${n === 1 ? '' : 's'} left).`;
}

function sessionsCard(v: MemberView): Html | null {
  if (v.sessions === null) return null;
  const rows = v.sessions.map(
    (s) => html`<tr><td>${timeEl(s.startedAt.toISOString())}</td><td>${s.client}<div class="small muted mono">${s.nas}</div></td><td class="mono">${s.callingStationId ?? '—'}</td><td class="mono">${s.framedIp ?? '—'}</td>
<td class="num"><a class="button quiet" href="/console/sessions/${encodeURIComponent(s.id)}/disconnect?member=${encodeURIComponent(v.member)}">Disconnect…</a></td></tr>`,
  );
  return html`<section class="card"><h2>Live sessions</h2>${
    v.sessions.length === 0
      ? html`<p class="empty">No live session for this member.</p>`
      : html`<table><thead><tr><th>Since</th><th>Access point / NAS</th><th>MAC</th><th>Address</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  }</section>`;
}
