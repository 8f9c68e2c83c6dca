// Runs axe-core on an HTML file in headless Chromium and prints the violations as JSON.
// Usage: node tests/tools/axe.js path/to/report.html   (Chromium from Debian: /usr/bin/chromium)
const path = require("path");
const { chromium } = require("playwright-core");
const axeSource = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    await page.goto("file://" + path.resolve(process.argv[2]));
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "best-practice"] } }));
    const violations = result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
    }));
    console.log(JSON.stringify({ passes: result.passes.length, violations }, null, 2));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.message); process.exit(2); });
