import { describe, expect, it } from "vitest";
import { classifyImagePull } from "./pod-state.js";

describe("classifyImagePull (issue 14, fault 7)", () => {
  it.each([
    ["InvalidImageName", 'Failed to apply default image tag "Bad:Name": couldn\'t parse image name', "definite"],
    ["ErrImageNeverPull", 'Container image "agent:1" is not present with pull policy of Never', "definite"],
    ["ErrImagePull", 'rpc error: code = NotFound desc = failed to pull and unpack image "x": failed to resolve reference "x": x: not found', "definite"],
    ["ErrImagePull", "failed to resolve reference: manifest unknown: manifest unknown", "definite"],
    ["ErrImagePull", 'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized', "definite"],
    ["ErrImagePull", "pull access denied, repository does not exist or may require authorization", "definite"],
    ["ErrImagePull", 'failed to do request: Head "https://r/v2/a/manifests/1": dial tcp 10.0.0.5:443: i/o timeout', "transient"],
    ["ErrImagePull", "unexpected status code 503 Service Unavailable", "transient"],
    ["ErrImagePull", "toomanyrequests: You have reached your pull rate limit", "transient"],
    ["ImagePullBackOff", 'Back-off pulling image "x"', "transient"],
    ["RegistryUnavailable", "registry unavailable", "transient"],
  ])("%s %s → %s", (reason, message, kind) => {
    expect(classifyImagePull({ kind: "waiting", reason, message })?.kind).toBe(kind);
  });

  it("is null for states that are not image pulls", () => {
    expect(classifyImagePull({ kind: "waiting", reason: "ContainerCreating" })).toBeNull();
    expect(classifyImagePull({ kind: "running" })).toBeNull();
  });
});
