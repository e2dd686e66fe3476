import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { SlackGroups } from "../../src/adapters/slack/slack-groups.ts";

function groups(members: Record<string, string[]>) {
  const clock = { time: new Date("2026-11-22T10:00:00Z"), now: () => clock.time };
  const calls: string[] = [];
  let down = false;
  const cache = new SlackGroups({
    list: async (group) => {
      calls.push(group);
      if (down) throw new Error("connect ECONNREFUSED");
      const found = members[group];
      if (!found) throw new Error("no_such_subteam");
      return found;
    },
    clock,
    logger: silentLogger,
    ttlMs: 5 * 60_000,
  });
  return {
    cache,
    calls,
    clock,
    setDown(value: boolean) {
      down = value;
    },
  };
}

const later = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);

describe("SlackGroups", () => {
  it("returns the named groups the user is in, asking Slack once per group per TTL", async () => {
    const g = groups({ S0ONCALL: ["U1", "U2"], S0LEADS: ["U3"] });
    expect(await g.cache.groupsOf("U1", ["S0ONCALL", "S0LEADS", "S0ONCALL"])).toEqual(["S0ONCALL"]);
    expect(await g.cache.groupsOf("U3", ["S0ONCALL", "S0LEADS"])).toEqual(["S0LEADS"]);
    expect(g.calls.sort()).toEqual(["S0LEADS", "S0ONCALL"]);
    g.clock.time = later(g.clock.time, 6);
    await g.cache.groupsOf("U1", ["S0ONCALL"]);
    expect(g.calls.filter((c) => c === "S0ONCALL")).toHaveLength(2);
  });

  it("shares one lookup between concurrent requests", async () => {
    const g = groups({ S0ONCALL: ["U1"] });
    await Promise.all([
      g.cache.members("S0ONCALL"),
      g.cache.members("S0ONCALL"),
      g.cache.members("S0ONCALL"),
    ]);
    expect(g.calls).toEqual(["S0ONCALL"]);
  });

  it("keeps using the last members seen while Slack is unreachable, and refreshes after", async () => {
    const members = { S0ONCALL: ["U1"] };
    const g = groups(members);
    expect(await g.cache.groupsOf("U1", ["S0ONCALL"])).toEqual(["S0ONCALL"]);
    g.setDown(true);
    g.clock.time = later(g.clock.time, 60);
    expect(await g.cache.groupsOf("U1", ["S0ONCALL"])).toEqual(["S0ONCALL"]);
    g.setDown(false);
    members.S0ONCALL = ["U2"];
    expect(await g.cache.groupsOf("U1", ["S0ONCALL"])).toEqual([]);
  });

  it("counts a group it could never list as not joined", async () => {
    const g = groups({});
    expect(await g.cache.groupsOf("U1", ["S0MISSING"])).toEqual([]);
  });
});
