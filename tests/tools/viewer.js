// Opens the offline inline XBRL viewer in headless Chromium (default settings: a file opened
// by double click) with every request outside the
// output folder refused, waits until it has read the report, and prints what it found as JSON:
// the number of tagged elements it highlights and any request it tried to make elsewhere.
// Usage: node tests/tools/viewer.js path/to/output/viewer.html
const path = require("path");
const { chromium } = require("playwright-core");

(async () => {
  const file = path.resolve(process.argv[2]);
  const folder = "file://" + path.dirname(file) + "/";
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"
],
  });
  const refused = [];
  try {
    const context = await browser.newContext();
    await context.route("**/*", route => {
      const url = route.request().url();
      if (url.startsWith(folder) || url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") {
        return route.continue();
      }
      refused.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", e => errors.push(e.message));
    await page.goto("file://" + file);
    // the viewer puts the report in an iframe and marks every fact it found
    let tagged = 0;
    for (let i = 0; i < 120 && tagged === 0; i++) {
      await page.waitForTimeout(500);
      for (const frame of page.frames()) {
        tagged += await frame.evaluate(() => document.querySelectorAll(".ixbrl-element").length).catch(() => 0);
      }
    }
    console.log(JSON.stringify({ tagged, refused, errors }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.message); process.exit(2); });
