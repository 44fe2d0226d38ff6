import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const { baseUrl } = JSON.parse(readFileSync("/tmp/cj-pc/server.json", "utf8"));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.log("console:", m.type(), m.text().slice(0, 300)); });
const snap = async (n) => { await page.waitForTimeout(1500); await page.screenshot({ path: `/tmp/cj-pc/w${n}.png`, fullPage: true }); console.log(`--- ${n} ${page.url()}\n` + (await page.innerText("body")).slice(0, 2500)); };
await page.goto(baseUrl + "/", { waitUntil: "networkidle" });
await snap(1);
const steps = JSON.parse(process.argv[2] ?? "[]");
const start = process.argv[3]; if (start) { await page.goto(baseUrl + start, { waitUntil: "networkidle" }); await snap("s"); }
let i = 2;
for (const s of steps) {
  if (s.click) await page.getByRole(s.role ?? "button", { name: new RegExp(s.click) }).first().click();
  if (s.text) await page.getByText(new RegExp(s.text)).first().click();
  if (s.ph) await page.getByPlaceholder(new RegExp(s.ph)).first().fill(s.value);
  if (s.fill) await page.getByLabel(new RegExp(s.fill)).first().fill(s.value);
  await snap(i++);
}
await browser.close();
