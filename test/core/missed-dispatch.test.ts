import { describe, expect, it } from "vitest";
import type { RolloutFile, State } from "../../src/core/config/schema.ts";
import { renderBulkCommitMessage, renderCommitMessage } from "../../src/core/messages/commit-message.ts";
import {
  type CommitEntry,
  changedRecently,
  missedDispatch,
  runsCover,
} from "../../src/core/rollout/missed-dispatch.ts";
import { plan } from "../helpers/plans.ts";

/** Which committed transition still owes which workflow dispatch: from the file and its history alone. */

const now = new Date("2026-11-22T10:00:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const workflows = { rollback: "rollback.yml", on_change: "deploy.yml", ref: "main" };

function file(state: State, withWorkflows = true): RolloutFile {
  return { ...plan(withWorkflows ? { workflows } : {}), state };
}

const rolledBack = file({ percent: 10, phase: "rolled_back", started_at: ago(5) });

function bot(
  action: string,
  from: number,
  to: number,
  minutes: number,
  commit = `c-${action}-${minutes}`,
): CommitEntry {
  return {
    commit,
    date: ago(minutes),
    message: renderCommitMessage({
      rollout: "checkout",
      action,
      from,
      to,
      actor: "alertmanager:HighErrors",
      reason: "error rate 7%",
      evidence: ["FAIL error_rate 7% (> 5% for 5m)"],
    }),
  };
}

const person = (minutes: number): CommitEntry => ({
  commit: `p-${minutes}`,
  date: ago(minutes),
  message: "Tweak the checkout rollout comment",
});

const decide = (history: CommitEntry[], f = rolledBack, minAgeMs = 60_000) =>
  missedDispatch({ rollout: "checkout", file: f, history, now, minAgeMs });

describe("missedDispatch", () => {
  it("a bot rollback committed minutes ago owes the rollback workflow, with the plan's inputs", () => {
    expect(decide([bot("rollback", 50, 10, 5, "abc")])).toEqual({
      kind: "check",
      commit: "abc",
      date: ago(5),
      record: expect.objectContaining({ action: "rollback", from: 50, to: 10 }),
      dispatches: [
        {
          workflow: "rollback.yml",
          ref: "main",
          inputs: { rollout: "checkout", from: "50", to: "10", reason: "error rate 7%" },
        },
      ],
    });
  });

  it("a stage change owes the on-change workflow", () => {
    const advanced = file({ percent: 50, phase: "baking", started_at: ago(3) });
    const decision = decide([bot("advance", 10, 50, 3)], advanced);
    expect(decision.kind === "check" && decision.dispatches).toEqual([
      { workflow: "deploy.yml", ref: "main", inputs: { rollout: "checkout", from: "10", to: "50" } },
    ]);
  });

  it("looks past the bot's pauses (they dispatch nothing) to the transition before them", () => {
    const decision = decide([bot("pause", 10, 10, 2), bot("rollback", 50, 10, 5, "abc")]);
    expect(decision.kind === "check" && decision.commit).toBe("abc");
  });

  it("ignores a transition older than the window (the file's started_at: the bot's own clock)", () => {
    const old = file({ percent: 10, phase: "rolled_back", started_at: ago(61) });
    expect(decide([bot("rollback", 50, 10, 61)], old)).toEqual({
      kind: "none",
      why: "the newest transition is old",
    });
  });

  it("ignores a rollout whose newest change is a person's commit (a push dispatches on its own)", () => {
    expect(decide([person(1), bot("rollback", 50, 10, 5)]).kind).toBe("none");
  });

  it("ignores commits of other rollouts and commits without trailers", () => {
    const other = {
      ...bot("rollback", 50, 10, 5),
      message: bot("rollback", 50, 10, 5).message.replaceAll("checkout", "search"),
    };
    expect(decide([other]).kind).toBe("none");
    expect(decide([]).kind).toBe("none");
  });

  it("ignores a transition the file no longer holds (people moved the percentage since)", () => {
    const moved = file({ percent: 50, phase: "baking", started_at: ago(1) });
    expect(decide([bot("rollback", 50, 10, 5)], moved).kind).toBe("none");
  });

  it("owes nothing when the rollout names no workflow", () => {
    const bare = file({ percent: 10, phase: "rolled_back", started_at: ago(5) }, false);
    expect(decide([bot("rollback", 50, 10, 5)], bare)).toEqual({
      kind: "none",
      why: "the transition dispatches nothing",
    });
  });

  it("waits while the transition is younger than the lease (its process may be dispatching now)", () => {
    const fresh = file({ percent: 10, phase: "rolled_back", started_at: ago(0.5) });
    expect(decide([bot("rollback", 50, 10, 0.5)], fresh)).toEqual({ kind: "wait" });
  });

  it("judges ages on the bot's clock, not the host's commit time (which may be skewed)", () => {
    const decision = decide([bot("rollback", 50, 10, 60 * 24 * 30, "skewed")]);
    expect(decision.kind === "check" && decision.commit).toBe("skewed");
  });

  it("reads a bulk `rollback all` commit for each rollout it names", () => {
    const bulk: CommitEntry = {
      commit: "bulk",
      date: ago(4),
      message: renderBulkCommitMessage({
        action: "rollback",
        actor: "U1",
        reason: "incident",
        entries: [
          { rollout: "search", from: 25, to: 0, evidence: [] },
          { rollout: "checkout", from: 50, to: 10, evidence: [] },
        ],
      }),
    };
    const decision = decide([bulk]);
    expect(decision.kind === "check" && decision.dispatches[0]?.inputs).toEqual({
      rollout: "checkout",
      from: "50",
      to: "10",
      reason: "incident",
    });
  });
});

describe("changedRecently", () => {
  it("is what the file says: started_at within the window", () => {
    expect(changedRecently(rolledBack, now)).toBe(true);
    expect(changedRecently(file({ percent: 10, phase: "baking", started_at: ago(90) }), now)).toBe(false);
    expect(changedRecently(file({ percent: 0 }), now)).toBe(false);
  });
});

describe("runsCover", () => {
  const check = { commit: "abc", date: ago(5) };
  it("a run on the commit itself is its run", () => {
    expect(runsCover(check, [{ headSha: "abc", createdAt: ago(5) }], new Set())).toBe(true);
  });
  it("a run created later on another head counts (dispatched after later commits landed)", () => {
    expect(runsCover(check, [{ headSha: "later", createdAt: ago(1) }], new Set())).toBe(true);
  });
  it("a run on another rollout's transition commit is that rollout's, not this one's", () => {
    expect(runsCover(check, [{ headSha: "theirs", createdAt: ago(1) }], new Set(["theirs"]))).toBe(false);
  });
  it("no run, or only runs from before the commit: not dispatched", () => {
    expect(runsCover(check, [], new Set())).toBe(false);
    expect(runsCover(check, [{ headSha: "older", createdAt: ago(20) }], new Set())).toBe(false);
  });
});
