import { describe, expect, it } from "vitest";
import { SimulatedCluster } from "./simulated-cluster.js";

describe("SimulatedCluster", () => {
  it("starts its clock at the host's real time, so a reported retry time is not in the past (issue #15)", async () => {
    const before = Date.now();
    const sim = new SimulatedCluster("max");
    try {
      const now = sim.fake.clock.now();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    } finally {
      await sim.dispose();
    }
  });

  it("starts where it is told to", async () => {
    const sim = new SimulatedCluster("max", Date.parse("2030-05-01T00:00:00Z"));
    try {
      expect(new Date(sim.fake.clock.now()).toISOString()).toBe("2030-05-01T00:00:00.000Z");
    } finally {
      await sim.dispose();
    }
  });
});
