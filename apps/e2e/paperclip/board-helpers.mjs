// Helpers of browser.e2e.mjs: Chromium from Debian, the worker recorder, the patched board asset, and the
// board's form widgets (located by their labels, as a user finds them).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const PATCH_BIN = join(repo, "packages", "paperclip-adapter", "bin", "clipjob-paperclip-patch.mjs");
export const CHROMIUM = process.env.CLIPJOB_CHROMIUM ?? "/usr/bin/chromium";
/** Bound of one UI wait: Chromium and Paperclip share two cores with whatever else runs. */
export const UI_MS = 60_000;

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  process.stderr.write("installing Debian's chromium (apt-get install -y chromium)\n");
  const update = spawnSync("apt-get", ["update"], { stdio: "inherit" });
  const r = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) : update;
  if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`could not install chromium (${CHROMIUM})`);
}

/**
 * Recorded before the board's scripts run: every Worker's ready/error messages and uncaught errors, and
 * whether it is the ui-parser worker (the one sent `{type:"init", source}`).
 */
export const WORKER_RECORDER = () => {
  const Native = window.Worker;
  const log = [];
  window.__clipjobWorkers = log;
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      const record = { parser: false, events: [] };
      log.push(record);
      this.addEventListener("message", (e) => {
        const d = e.data;
        if (d && (d.type === "ready" || d.type === "error")) record.events.push({ type: d.type, message: d.message ?? null });
      });
      this.addEventListener("error", (e) => record.events.push({ type: "uncaught", message: e.message }));
    }
    postMessage(message, ...rest) {
      if (message && message.type === "init" && typeof message.source === "string") this.__clipjobRecord().parser = true;
      return super.postMessage(message, ...rest);
    }
    __clipjobRecord() {
      return log[log.length - 1];
    }
  };
};

/** Copies the board asset holding the worker bootstrap into a scratch install and patches it with the shipped command. */
export function patchedCopy(serverDir) {
  const scratch = mkdtempSync(join(tmpdir(), "clipjob-patched-board-"));
  const copyDir = join(scratch, "node_modules", "@paperclipai", "server");
  mkdirSync(join(copyDir, "ui-dist", "assets"), { recursive: true });
  copyFileSync(join(serverDir, "package.json"), join(copyDir, "package.json"));
  const check = execFileSync(process.execPath, [PATCH_BIN, "--check", "--paperclip", serverDir], { encoding: "utf8" });
  const asset = / (\S+\.js)\n$/.exec(check)?.[1];
  assert(asset && check.startsWith("stock"), `the provisioned board is not the stock 2026.916.1 asset: ${check}`);
  const copy = join(copyDir, "ui-dist", "assets", basename(asset));
  copyFileSync(asset, copy);
  const applied = execFileSync(process.execPath, [PATCH_BIN, "--apply", "--paperclip", scratch], { encoding: "utf8" });
  assert(applied.startsWith("patched "), applied);
  return { patchedAsset: readFileSync(copy, "utf8"), assetName: basename(asset) };
}

/** The form field (label, hint button, widget) labelled exactly `label`. */
export function formField(page, label) {
  // Every ancestor of the label matches; the innermost one holding a widget comes last in document order.
  return page
    .locator("div", { has: page.locator("label", { hasText: new RegExp(`^${label.replace(/[()]/g, "\\$&")}$`) }) })
    .filter({ has: page.locator('[data-slot="popover-trigger"], input, textarea, button[role="switch"]') })
    .last();
}

/** Picks an option of the form's select labelled `label` (a popover list). */
export async function chooseOption(page, label, option) {
  await formField(page, label).locator('[data-slot="popover-trigger"]').first().click({ timeout: UI_MS });
  await page.locator('[data-slot="popover-content"]').getByText(option, { exact: true }).first().click({ timeout: UI_MS });
}

/** Opens every collapsed group of system entries in the transcript; returns the page text. */
export async function expandSystemMessages(page) {
  const groups = page.getByText(/^\d+ SYSTEM MESSAGES?$/i);
  for (let i = (await groups.count()) - 1; i >= 0; i--) await groups.nth(i).click();
  return page.innerText("body");
}

/**
 * Polls `probe()` until it returns a truthy value, within `ms`; throws naming `what` otherwise. For conditions
 * outside the page (the API, a run log); the interval orders nothing, it only spaces the probes.
 */
export async function until(probe, what, ms = UI_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Clicks `target` and waits for its effect, `done(ms)` (e.g. `(ms) => locator.waitFor({ timeout: ms })`). A
 * click that lands before the board has wired its handlers (seen on a loaded machine: nothing happened) is
 * repeated, up to `attempts` times. Without `sent`, only for clicks that are harmless when repeated
 * (navigation, a tab). With `sent`, a predicate on the request the click must send, the click is repeated
 * only while no such request went out, so an action (Run now, Cancel) is never sent twice.
 * @param {import("playwright-core").Page} page
 * @param {import("playwright-core").Locator} target
 * @param {(ms: number) => Promise<unknown>} done
 * @param {{ sent?: (req: import("playwright-core").Request) => boolean, attempts?: number, what?: string }} [o]
 */
export async function clickUntil(page, target, done, { sent, attempts = 4, what = "click" } = {}) {
  for (let attempt = 1; ; attempt++) {
    const wait = attempt >= attempts ? UI_MS : 15_000;
    const request = sent ? page.waitForRequest(sent, { timeout: wait }).then(() => true, () => false) : null;
    await target.click({ timeout: UI_MS });
    if (request) {
      if (await request) return done(UI_MS);
    } else {
      try {
        return await done(wait);
      } catch (e) {
        if (attempt >= attempts) throw e;
      }
    }
    if (attempt >= attempts) throw new Error(`${what}: the click sent no request in ${attempts} tries`);
  }
}

/**
 * Reloads `page` until `check(text)` holds for its text once `ready` shows and the transcript's system groups
 * are open: the run is over when this is called, but the board fills the transcript asynchronously (the log,
 * then the worker's parse), so a single read can come before the last entries. Returns the text.
 * @param {import("playwright-core").Page} page
 * @param {(text: string) => boolean} check
 */
export async function transcriptUntil(page, check, what, ms = 180_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    await page.getByText(/Transcript \(/).first().waitFor({ timeout: UI_MS });
    // Every entry parsed: no raw line left (the worker replaces each as its parse comes back).
    await page.waitForFunction(() => !/\{"type":"(system|assistant|user|result)"/.test(document.body.innerText), null, { timeout: UI_MS });
    const text = await expandSystemMessages(page);
    if (check(text)) return text;
    if (Date.now() >= deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await page.reload();
  }
}

/** The hint the form shows when hovering the question mark beside `label`. */
export async function hintOf(page, label) {
  await formField(page, label).locator('[data-slot="tooltip-trigger"]').first().hover({ timeout: UI_MS });
  const tip = page.getByRole("tooltip").first();
  await tip.waitFor({ state: "attached", timeout: UI_MS });
  const text = await tip.textContent();
  await page.mouse.move(0, 0);
  return text;
}

