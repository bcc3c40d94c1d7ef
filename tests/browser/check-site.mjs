// The website of `udvalg publish` in headless Chromium, as a citizen meets it. Serves SITE on
// a local port, opens one page of every kind, runs axe-core's WCAG 2.1 A and AA rules on each
// and fails on any violation; then clicks from the front page to a meeting, to an item, and to
// the item's PDF. Saves a screenshot of each page kind in SHOTS.
// Usage: node check-site.mjs SITE SHOTS PAGE...   (PAGE: a path inside SITE, one per kind)
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const [site, shots, ...pages] = process.argv.slice(2);
if (!site || !shots || pages.length === 0) {
  console.error("usage: node check-site.mjs SITE SHOTS PAGE...");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".pdf": "application/pdf",
  ".atom": "application/atom+xml",
  ".ics": "text/calendar; charset=utf-8",
  ".json": "application/json",
};
// The site is served under a sub-path, as a municipality's web server would put it: every
// link is relative, so it must work there too.
const prefix = "/sub/path/";
async function serve(request, response) {
  const url = new URL(request.url, "http://x").pathname;
  if (!url.startsWith(prefix)) {
    response.writeHead(404).end("outside the site");
    return;
  }
  const path = normalize(decodeURIComponent(url.slice(prefix.length - 1)));
  if (path.includes("..")) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(join(site, path.endsWith("/") ? path + "index.html" : path));
    response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    response.end(body);
  } catch {
    response.writeHead(404).end("not found");
  }
}
const server = createServer(serve);
await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
const base = `http://127.0.0.1:${server.address().port}${prefix}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let failures = 0;
const fail = (message) => {
  failures += 1;
  console.error(message);
};
await mkdir(shots, { recursive: true });
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const missing = [];
  page.on("response", (r) => {
    if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
  });
  for (const path of pages) {
    const response = await page.goto(base + path);
    if (!response || response.status() !== 200) {
      fail(`${path}: ${response?.status()}`);
      continue;
    }
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
    );
    for (const v of result.violations) {
      fail(`${path}: ${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n  ")}`);
    }
    if (result.passes.length < 10) fail(`${path}: axe ran only ${result.passes.length} passing rules`);
    const name = path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
    console.log(`${path}: ${result.passes.length} rules passed, ${result.violations.length} violations`);
  }
  if (missing.length > 0) fail(`files the pages asked for and did not get:\n  ${missing.join("\n  ")}`);

  // From the front page to a meeting, to an item, to its PDF, by clicking as a reader would.
  await page.goto(base + "index.html");
  await page.getByRole("link", { name: /^\d{4}$/ }).last().click();
  await page.locator("main ul.meetings a", { hasText: "Udvalgsmøde" }).first().click();
  const meeting = page.url();
  if (!/\/index\.html$/.test(meeting)) fail(`the year's first meeting link led to ${meeting}`);
  await page.locator("ul.contents a").first().click();
  const item = new URL(page.url()).hash;
  if (!/^#punkt-\d+$/.test(item)) fail(`the contents link led to ${page.url()}`);
  const heading = await page.locator(`${item} h3`).textContent();
  if (!heading) fail(`the item ${item} has no heading`);
  // The item's own PDF, from the item's place on the page.
  const pdfLink = page.locator(`${item} a.item-pdf`);
  await pdfLink.click({ trial: true });
  const href = await pdfLink.getAttribute("href");
  if (!href || !/punkt-\d+-.*\.pdf$/.test(href)) fail(`the item's PDF link is ${href}`);
  const pdf = await context.request.get(new URL(href, page.url()).toString());
  const bytes = await pdf.body();
  if (pdf.status() !== 200 || bytes.subarray(0, 5).toString() !== "%PDF-") {
    fail(`the meeting's PDF ${href}: ${pdf.status()}`);
  }
  await page.screenshot({ path: join(shots, "clicked-meeting.png"), fullPage: false });

  // The search, with no server: a Danish word finds the pages of its inflections.
  await page.goto(base + "soeg.html");
  await page.getByLabel("Søgeord").fill("hjemløs");
  await page.getByRole("button", { name: "Søg" }).click();
  const hits = await page.locator("#resultater li").count();
  const said = await page.locator("#status").textContent();
  if (hits === 0) fail(`searching "hjemløs" found nothing: ${said}`);
  await page.locator("#resultater li a").first().click();
  if (!page.url().endsWith(".html")) fail(`the first hit led to ${page.url()}`);
  console.log(`searched: "hjemløs" → ${said}`);
  console.log(`clicked: front page → ${meeting} → ${item} (${heading?.trim()}) → ${href} (${bytes.length} bytes)`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failures === 0 ? 0 : 1);
