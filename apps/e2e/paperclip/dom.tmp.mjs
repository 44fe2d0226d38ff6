import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const { baseUrl } = JSON.parse(readFileSync("/tmp/cj-pc/server.json", "utf8"));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
await page.goto(baseUrl + "/ACM/agents/5f299262-3e39-4dd3-be7e-7105fe56534b", { waitUntil: "networkidle" });
await page.getByText("Harness / Runtime").first().click();
await page.getByText("Simulated Scenario", { exact: true }).waitFor();
const html = await page.evaluate(() => {
  const el = [...document.querySelectorAll("*")].find((e) => e.textContent === "Simulated Scenario" || e.textContent === "Cluster");
  let p = el; for (let i = 0; i < 3; i++) p = p.parentElement;
  return p.outerHTML.slice(0, 3000);
});
console.log(html);
await browser.close();
