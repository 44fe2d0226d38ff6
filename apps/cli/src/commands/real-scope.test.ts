// Names the API server would refuse are usage errors said before any cluster is asked: the kubeconfig
// named here does not exist, so reaching for the cluster would fail differently.
import { describe, expect, it } from "vitest";
import { memoryIo } from "../cli/testing/memory-io.js";
import { cancelCommand } from "./cancel-command.js";
import { jobsCommand } from "./jobs-command.js";
import { logsCommand } from "./logs-command.js";

const NO_FILE = "/nonexistent/kubeconfig";

describe("the real-cluster commands refuse invalid names before opening a cluster", () => {
  it.each([
    ["cancel", cancelCommand, ["../x"], `"../x" is not a valid Job name`],
    ["cancel", cancelCommand, ["Bad_Name"], `"Bad_Name" is not a valid Job name`],
    ["logs", logsCommand, ["a/b", "-f"], `"a/b" is not a valid Job name`],
    ["logs", logsCommand, ["ac-x", "-n", "Bad_NS"], `--namespace "Bad_NS" is not a valid namespace name`],
    ["jobs", jobsCommand, ["--namespace", "a".repeat(64)], "is not a valid namespace name"],
  ] as const)("%s %j", async (_command, command, args, message) => {
    const io = memoryIo();
    expect(await command([...args, "--kubeconfig", NO_FILE], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).not.toContain(NO_FILE);
    expect(io.out()).toBe("");
  });
});
