import type { DecisionRecord } from '../../../obs/decision-ring.js';
import type { CertRecord } from '../../../store/types.js';
import { daysLeftText, issuerQuery, statusBadge } from '../cert-table.js';
import { decisionsTable } from '../decision-table.js';
import { type Html, html } from '../html.js';
import { type Viewer, certHref, memberHref, page } from '../layout.js';
import { type ReasonContext, day, revocationWords } from '../reason-text.js';

export interface CertificateView {
  serial: string;
  now: Date;
  /** Usually one; several when different issuers used the same serial. */
  records: CertRecord[];
  /** Current certificate per member of these records, to mark and explain. */
  currentSerials: Set<string>;
  decisions: DecisionRecord[];
  ctx: ReasonContext;
  notice: Html | null;
}

export function certificatePage(v: CertificateView, viewer: Viewer): Html {
  return page(
    `Certificate ${v.serial}`,
    viewer,
    html`<h1>Certificate <span class="mono">${v.serial}</span></h1>
<p class="sub">${v.records.length === 0 ? 'Not in the certificate store.' : html`Issued to ${v.records.map((r, i) => html`${i > 0 && ', '}<a href="${memberHref(r.member)}">${r.member}</a>`)}`}</p>
${v.notice && html`<p class="notice" role="status">${v.notice}</p>`}
${
  v.records.length === 0
    ? html`<section class="card"><p>No certificate with serial ${v.serial} is in the certificate store: if a device presents it, certgate refuses it as "not issued".</p></section>`
    : v.records.map((r) => facts(r, v))
}
<section class="card">
<h2>Recent logins with this certificate</h2>
${v.decisions.length === 0 ? html`<p class="empty">No login with this certificate among the logins in memory.</p>` : decisionsTable(v.decisions, v.ctx, true)}
</section>`,
    v.serial,
  );
}

function facts(r: CertRecord, v: CertificateView): Html {
  return html`<section class="card">
<h2>${statusBadge(r, v.now)} ${v.currentSerials.has(r.serial) && html`<span class="badge current">current</span>`}</h2>
<dl class="facts">
<dt>Member</dt><dd><a href="${memberHref(r.member)}">${r.member}</a></dd>
<dt>Subject</dt><dd class="mono">${r.subject}</dd>
<dt>Issuer</dt><dd class="mono">${r.issuer}</dd>
<dt>Valid</dt><dd>${day(r.notBefore)} to ${day(r.notAfter)} (days left: ${daysLeftText(r, v.now)})</dd>
${r.status === 'revoked' && html`<dt>Revoked</dt><dd>${r.revokedAt ? day(r.revokedAt) : 'yes'}: ${r.revocationReason ?? 'unspecified'} (${revocationWords(r.revocationReason)})</dd>`}
${r.status === 'superseded' && r.supersededBy && html`<dt>Replaced by</dt><dd><a class="mono" href="${certHref(r.supersededBy)}">${r.supersededBy}</a></dd>`}
<dt>SHA-256 fingerprint</dt><dd class="mono small">${r.fingerprint}</dd>
</dl>
${r.status !== 'revoked' && html`<div class="actions"><a class="button danger" href="${certHref(r.serial)}/revoke${issuerQuery(r)}">Revoke this certificate…</a></div>`}
</section>`;
}
