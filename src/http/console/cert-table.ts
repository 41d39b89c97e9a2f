// The certificate list shared by the member and certificate pages: status, validity, days left,
// the current one marked, and the renewal reminder.
import type { CertRecord } from '../../store/types.js';
import { type Html, html } from './html.js';
import { certHref } from './layout.js';
import { RENEWAL_WINDOW_DAYS, daysLeft } from './overview-data.js';
import { day } from './reason-text.js';

export function statusBadge(r: CertRecord, now: Date): Html {
  if (r.status === 'valid' && r.notAfter.getTime() < now.getTime()) return html`<span class="badge expired">expired</span>`;
  return html`<span class="badge ${r.status}">${r.status}</span>`;
}

export function daysLeftText(r: CertRecord, now: Date): Html {
  // Only a valid certificate's remaining time matters to anyone.
  if (r.status !== 'valid') return html`<span class="muted">—</span>`;
  const n = daysLeft(r.notAfter, now);
  if (n < 0) return html`<span class="muted">expired ${-n} day${-n === 1 ? '' : 's'} ago</span>`;
  if (n <= RENEWAL_WINDOW_DAYS) return html`<span class="badge soon">${n} day${n === 1 ? '' : 's'}</span>`;
  return html`${n.toLocaleString('en-US')}`;
}

/**
 * The reminder for the member's current certificate: renewal opens 30 days before expiry, and an
 * expired current certificate needs renewing now.
 */
export function renewalReminder(current: CertRecord | undefined, now: Date): Html | null {
  if (!current || current.status !== 'valid') return null;
  const n = daysLeft(current.notAfter, now);
  if (n < 0) return html`<p class="reminder">The current certificate expired on ${day(current.notAfter)}: renew it on the certificate portal now.</p>`;
  if (n > RENEWAL_WINDOW_DAYS) return null;
  return html`<p class="reminder">renewal is open: the current certificate ${current.serial} expires on ${day(current.notAfter)} (in ${n} day${n === 1 ? '' : 's'}); the member can renew it on the certificate portal now.</p>`;
}

export function certificatesTable(records: readonly CertRecord[], now: Date, currentSerial: string | null, showMember = false): Html {
  if (records.length === 0) return html`<p class="empty">No certificate in the store.</p>`;
  const rows = records.map(
    (r) => html`<tr>
<td class="mono"><a href="${certHref(r.serial)}">${r.serial}</a>${r.serial === currentSerial && html` <span class="badge current">current</span>`}</td>
${showMember && html`<td>${r.member}</td>`}
<td>${statusBadge(r, now)}${r.status === 'revoked' && html`<div class="small muted">${r.revocationReason ?? 'unspecified'}${r.revokedAt && html`, ${day(r.revokedAt)}`}</div>`}${
      r.status === 'superseded' && r.supersededBy && html`<div class="small muted">by <a class="mono" href="${certHref(r.supersededBy)}">${r.supersededBy}</a></div>`
    }</td>
<td>${day(r.notBefore)}</td>
<td>${day(r.notAfter)}</td>
<td class="num">${daysLeftText(r, now)}</td>
<td class="num">${r.status !== 'revoked' && html`<a class="button quiet" href="${certHref(r.serial)}/revoke${issuerQuery(r)}">Revoke…</a>`}</td>
</tr>`,
  );
  return html`<table>
<thead><tr><th>Serial</th>${showMember && html`<th>Member</th>`}<th>Status</th><th>Valid from</th><th>Valid until</th><th class="num">Days left</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Serials are unique per issuer only: the issuer travels with every link that acts on one. */
export const issuerQuery = (r: CertRecord): string => `?issuer=${encodeURIComponent(r.issuer)}`;
