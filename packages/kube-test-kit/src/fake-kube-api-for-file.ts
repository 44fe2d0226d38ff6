// The usual life of a FakeKubeApi in an adapter test file: one server for the file, a clean slate before
// every test, closed after the last one.
import { afterAll, beforeEach } from "vitest";
import { FakeKubeApi } from "./fake-kube-api.js";

/**
 * Starts a FakeKubeApi for the calling test file (call it at the file's top level with `await`), and registers
 * the file's hooks: `reset()` before each test (registered first, so the file's own beforeEach sees a clean
 * server), `close()` after all.
 */
export async function fakeKubeApiForFile(): Promise<FakeKubeApi> {
  const api = await FakeKubeApi.start();
  beforeEach(() => api.reset());
  afterAll(() => api.close());
  return api;
}
