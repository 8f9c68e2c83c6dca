// A headless Chromium page driven one command at a time: each line on stdin is a JSON command,
// each answer a JSON line on stdout. The tests of `build-report serve` open the preview here,
// edit files from Python, and wait for what the page shows, without ever reloading it themselves.
//   {"goto": url}                         -> {"ok": true}
//   {"waitFor": js, "timeout": ms}        -> {"ok": true, "value": ...} once js is truthy in the page
//   {"evaluate": js}                      -> {"ok": true, "value": ...}
// Usage: node tests/tools/browser.js   (Chromium from Debian: /usr/bin/chromium)
const readline = require("readline");
const { chromium } = require("playwright-core");

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  const answer = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  answer({ ok: true, ready: true });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = JSON.parse(line);
    try {
      if (command.goto !== undefined) {
        await page.goto(command.goto);
        answer({ ok: true });
      } else if (command.waitFor !== undefined) {
        // page reloads in between are expected: the preview reloads itself
        const handle = await page.waitForFunction(command.waitFor, null, { timeout: command.timeout || 30000 });
        answer({ ok: true, value: await handle.jsonValue() });
      } else if (command.evaluate !== undefined) {
        answer({ ok: true, value: await page.evaluate(command.evaluate) });
      } else {
        answer({ ok: false, error: "unknown command" });
      }
    } catch (e) {
      answer({ ok: false, error: e.message });
    }
  }
  await browser.close();
})().catch(e => { console.error(e.message); process.exit(2); });
