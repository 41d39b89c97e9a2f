import type { DecisionRecord } from '../../../obs/decision-ring.js';
import type { CertRecord, CertStatus } from '../../../store/types.js';
import { loginChart } from '../chart.js';
import { decisionsTable } from '../decision-table.js';
import { type Html, html } from '../html.js';
import { type Viewer, certHref, memberHref, page } from '../layout.js';
import { type MinuteBucket, type SourceHealth, daysLeft } from '../overview-data.js';
import { type ReasonContext, day, reasonLabel } from '../reason-text.js';

export interface Overview {
  now: Date;
  buckets: MinuteBucket[];
  topReasons: { reason: string; count: number }[];
  revocation: SourceHealth[];
  expiring: CertRecord[];
  recentRejects: DecisionRecord[];
  ctx: ReasonContext;
  counts: Record<CertStatus, number>;
}

const EXPIRING_SHOWN = 50;

export function overviewPage(o: Overview, viewer: Viewer): Html {
  const accepted = o.buckets.reduce((n, b) => n + b.accept, 0);
  const refused = o.buckets.reduce((n, b) => n + b.reject, 0);
  return page(
    'Overview',
    viewer,
    html`<h1>Overview</h1>
<p class="sub">Last hour: ${accepted} login${accepted === 1 ? '' : 's'} accepted, ${refused} refused. Store: ${o.counts.valid} valid, ${o.counts.superseded} superseded, ${o.counts.revoked} revoked certificates.</p>
<section class="card">
<h2>Logins per minute, last hour</h2>
${loginChart(o.buckets)}
<div class="legend"><span><i class="accept"></i>accepted</span><span><i class="reject"></i>refused</span></div>
</section>
<div class="cols">
<section class="card">
<h2>Top reasons for refusal, last hour</h2>
${
  o.topReasons.length === 0
    ? html`<p class="empty">No login was refused in the last hour.</p>`
    : html`<table><thead><tr><th>Reason</th><th class="num">Logins</th></tr></thead><tbody>${o.topReasons.map(
        (r) => html`<tr><td>${reasonLabel(r.reason)} <span class="small muted mono">${r.reason}</span></td><td class="num">${r.count}</td></tr>`,
      )}</tbody></table>`
}
</section>
<section class="card">
<h2>Revocation checking (CRL and OCSP)</h2>
<dl class="facts">${o.revocation.map(
  (r) => html`<dt>${r.name}</dt><dd>${r.state === null ? html`<span class="muted">not configured</span>` : r.state}${r.refused.map(
    (x) => html`<div class="small"><span class="badge reject">${x.count}</span> refused in the last hour: ${reasonLabel(x.reason)}</div>`,
  )}</dd>`,
)}</dl>
${o.revocation.every((r) => r.state === null) && html`<p class="small muted">Logins are checked against the certificate store only.</p>`}
</section>
</div>
<section class="card">
<h2>Certificates expiring in the next 30 days (${o.expiring.length})</h2>
${
  o.expiring.length === 0
    ? html`<p class="empty">None: no current certificate expires in the next 30 days.</p>`
    : html`<table><thead><tr><th>Member</th><th>Serial</th><th>Expires</th><th class="num">Days left</th></tr></thead><tbody>${o.expiring.slice(0, EXPIRING_SHOWN).map(
        (r) => html`<tr><td><a href="${memberHref(r.member)}">${r.member}</a></td><td class="mono"><a href="${certHref(r.serial)}">${r.serial}</a></td><td>${day(r.notAfter)}</td><td class="num">${daysLeft(r.notAfter, o.now)}</td></tr>`,
      )}</tbody></table>${o.expiring.length > EXPIRING_SHOWN && html`<p class="small muted">and ${o.expiring.length - EXPIRING_SHOWN} more.</p>`}`
}
</section>
<section class="card">
<h2>Latest refusals</h2>
${o.recentRejects.length === 0 ? html`<p class="empty">No refusal among the logins in memory.</p>` : decisionsTable(o.recentRejects, o.ctx, true)}
</section>`,
  );
}
