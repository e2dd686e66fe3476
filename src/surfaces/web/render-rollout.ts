import type { HistoryRow } from "../../commands/history.ts";
import type { RolloutDetail } from "../../commands/rollout-detail.ts";
import { formatDuration } from "../../core/duration.ts";
import type { StatusMessage } from "../../core/messages/status-message.ts";
import type { GateCheck } from "../../core/rollout/gate.ts";
import { type Html, html } from "./html.ts";
import { renderCharts } from "./render-charts.ts";
import { healthBadge, phaseText, timeOf } from "./render-layout.ts";

/** One rollout: where it stands, its stage plan as a timeline, health, charts, bump PR and history. */

export interface RolloutView {
  status: StatusMessage;
  detail: RolloutDetail;
  history: HistoryRow[];
}

function check(c: Pick<GateCheck, "pass" | "detail"> & { name: string }): Html {
  return html`<li class="${c.pass ? "pass" : "fail"}"><span class="mark" aria-hidden="true">${c.pass ? "✓" : "✗"}</span>
    <span class="sr-only">${c.pass ? "passes" : "fails"}:</span> <strong>${c.name}</strong>: ${c.detail}</li>`;
}

function timeline({ status, detail }: RolloutView): Html {
  const current = status.stage;
  return html`<section aria-labelledby="timeline-h"><h2 id="timeline-h">Stages</h2>
    <ol class="timeline">
      <li class="stage stage-${current === 0 ? "now" : "passed"}" ${current === 0 ? html`aria-current="step"` : ""}>
        <span class="stage-percent">0%</span>
        <span class="stage-state">${current === 0 ? `▶ now: ${phaseText(status.phase)}` : "✓ start"}</span>
        <span class="muted">no traffic on the new version</span>
      </li>
      ${detail.stages.map((s) => {
        const state = s.number < current ? "passed" : s.number === current ? "now" : "next";
        const here = s.number === current;
        const word =
          state === "passed"
            ? "✓ passed"
            : here
              ? status.phase === "rolled_back"
                ? "↩ rolled back here"
                : status.phase === "complete"
                  ? "✓ complete"
                  : `▶ now: ${phaseText(status.phase)}`
              : "next";
        const bake =
          here && s.bakeSeconds > 0 && detail.elapsedSeconds !== undefined
            ? html`<div class="bake"><progress max="${s.bakeSeconds}" value="${Math.min(s.bakeSeconds, detail.elapsedSeconds)}"
                  aria-label="bake progress"></progress> ${formatDuration(detail.elapsedSeconds)} of ${s.bake} baked</div>`
            : "";
        return html`<li class="stage stage-${state}" ${here ? html`aria-current="step"` : ""}>
          <span class="stage-percent">${s.percent}%</span>
          <span class="stage-state">${word}</span>
          <span class="muted">bake ${s.bake}${s.approvals !== undefined ? ` · ${s.approvals} approval(s)` : ""}${
            s.criteria.length > 0 ? ` · gate: ${s.criteria.join(", ")}` : ""
          }</span>
          ${bake}
        </li>`;
      })}
    </ol>
    <ul class="facts">
      <li>Rollback goes to ${detail.rollbackTarget === "previous" ? "the previous stage" : `${detail.rollbackTarget}%`}${
        detail.cooldown ? `, then no advance for ${detail.cooldown} (cooldown)` : ""
      }.</li>
      ${status.cooldownUntil ? html`<li class="warn">Cooling down until ${timeOf(status.cooldownUntil)}: no advance before then</li>` : ""}
      ${detail.freeze.map(
        (f) =>
          html`<li class="${f.active ? "warn" : ""}">Freeze window <strong>${f.name}</strong>: ${f.text}${
            f.active ? html` — <strong>active now</strong>` : ""
          }</li>`,
      )}
    </ul>
  </section>`;
}

function pull(detail: RolloutDetail): Html {
  const pr = detail.pull;
  if (!pr) return html`<p class="muted">No open bump pull request.</p>`;
  return html`<p><a href="${pr.url}">#${pr.number} ${pr.title}</a> · approvals ${pr.approvals} of ${pr.requiredApprovals}</p>
    <ul class="checks">${pr.gate.checks.map(check)}</ul>`;
}

function history(rows: HistoryRow[]): Html {
  if (rows.length === 0) return html`<p class="muted">No history yet.</p>`;
  return html`<div class="scroll"><table class="history">
    <caption class="sr-only">History of the rollout file, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Why and evidence</th></tr></thead>
    <tbody>${rows.slice(0, 50).map((r) => {
      const a = r.audit;
      const what = a ? `${a.action} ${a.from === a.to ? `at ${a.to}%` : `${a.from}% → ${a.to}%`}` : r.subject;
      return html`<tr><td>${timeOf(r.date)}</td><td>${a?.actor ?? r.author}</td>
        <td>${what} <code class="muted">${r.commit.slice(0, 8)}</code></td>
        <td>${a?.reason ?? ""}${
          a && a.evidence.length > 0
            ? html`<details><summary>evidence (${a.evidence.length})</summary><ul>${a.evidence.map((e) => html`<li>${e}</li>`)}</ul></details>`
            : ""
        }</td></tr>`;
    })}</tbody></table></div>`;
}

/** The part of the page that live updates replace. */
export function renderRolloutLive(view: RolloutView): Html {
  const { status, detail } = view;
  const gate = status.gate;
  return html`<div class="summary" data-percent="${status.percent}" data-phase="${status.phase}">
      <p class="big"><span class="percent">${status.percent}%</span>
        <span>stage ${status.stage} of ${status.stageCount} · ${phaseText(status.phase)}</span>
        ${healthBadge(status.health.status)}</p>
      <progress max="100" value="${status.percent}" aria-label="traffic on the new version: ${status.percent}%"></progress>
      <p>${status.headline}${status.timeInStage ? ` · in stage ${status.timeInStage}` : ""}</p>
      ${status.reason ? html`<p><strong>Reason:</strong> ${status.reason}</p>` : ""}
    </div>
    ${timeline(view)}
    <section aria-labelledby="health-h"><h2 id="health-h">Health: ${status.health.status}</h2>
      <ul class="checks">${status.health.reasons.map((r) => check({ name: r.kind, pass: r.pass, detail: r.text }))}</ul>
      ${
        gate?.nextPercent !== undefined
          ? html`<h3>Gate to ${gate.nextPercent}%: ${gate.open ? "open" : "closed"}</h3><ul class="checks">${gate.checks.map(check)}</ul>`
          : ""
      }
    </section>
    <section aria-labelledby="charts-h"><h2 id="charts-h">Metrics over this stage</h2>${renderCharts(detail)}</section>
    <section aria-labelledby="pr-h"><h2 id="pr-h">Bump pull request</h2>${pull(detail)}</section>
    <section aria-labelledby="history-h"><h2 id="history-h">History</h2>${history(view.history)}</section>`;
}

/** Advance, rollback (reason, confirm), pause, resume: the same commands and refusals as Slack and comments. */
export function renderControls(status: StatusMessage, csrf: string): Html {
  const hidden = html`<input type="hidden" name="repo" value="${status.repo}" />
    <input type="hidden" name="id" value="${status.rollout}" />
    <input type="hidden" name="csrf" value="${csrf}" />
    <input type="hidden" name="at" value="${status.percent}" />`;
  const form = (verb: string, body: Html) =>
    html`<form method="post" action="/rollout/action" class="control" data-verb="${verb}">${hidden}<input type="hidden" name="verb" value="${verb}" />${body}</form>`;
  return html`<section aria-labelledby="controls-h" class="controls"><h2 id="controls-h">Controls</h2>
    <p class="muted">Each runs the same command as <code>/rollout</code> in Slack or a PR comment, with the same permissions.</p>
    <div class="control-row">
      ${form("advance", html`<button type="submit">Advance</button>`)}
      ${form(
        "pause",
        html`<label for="pause-reason">Pause reason (optional)</label>
          <input id="pause-reason" name="reason" maxlength="500" autocomplete="off" />
          <button type="submit">Pause</button>`,
      )}
      ${form("resume", html`<button type="submit">Resume</button>`)}
    </div>
    ${form(
      "rollback",
      html`<label for="rollback-reason">Rollback reason</label>
        <input id="rollback-reason" name="reason" maxlength="500" required autocomplete="off" />
        <button type="submit" class="danger">Roll back…</button>`,
    )}
    <dialog id="confirm-rollback" aria-labelledby="confirm-title">
      <form method="dialog">
        <h3 id="confirm-title">Roll back ${status.rollout}?</h3>
        <p>This commits a lower percentage for <strong>${status.rollout}</strong> and runs its rollback workflow.</p>
        <div class="control-row"><button value="cancel">Cancel</button>
          <button value="confirm" class="danger" id="confirm-rollback-button">Roll back</button></div>
      </form>
    </dialog>
    <p id="action-result" role="status" aria-live="polite" class="result"></p>
  </section>`;
}
