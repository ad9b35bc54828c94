// Drives the web chat page in headless Chromium for the end-to-end tests (tests/e2e/test_channel_webchat.py).
// Usage: node webchat_driver.mjs <page url>; then one JSON command per line on stdin:
//   {"say": "text"}  clicks the button labelled "text" (or numbered, "1" = the first) if one is shown, else types it
// and answers one JSON line per command: {"replies": [{"text", "buttons"}], "conversation", "state"}.
// Uses Debian's /usr/bin/chromium; playwright-core never downloads a browser.
import { chromium } from "playwright-core";
import readline from "node:readline";

const url = process.argv[2];
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const page = await browser.newPage();
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

async function botMessages() {
  return page.$$eval("#webchat .webchat-bot", (items) =>
    items.map((li) => ({
      text: [...li.querySelectorAll(".webchat-text p")].map((p) => p.textContent).join("\n"),
      buttons: [...li.querySelectorAll(".webchat-button")].map((b) => b.textContent),
    })));
}

async function state() {
  return page.$eval("#webchat", (root) => ({ state: root.dataset.state || "", conversation: root.dataset.conversation || "" }));
}

// Waits for the first new bot message, then until none has arrived for a while.
async function newReplies(before, timeout = 90000, quiet = 1500) {
  const end = Date.now() + timeout;
  let seen = before, since = Date.now();
  while (Date.now() < end) {
    const n = (await botMessages()).length;
    if (n !== seen) { seen = n; since = Date.now(); }
    if (seen > before && Date.now() - since >= quiet) break;
    await page.waitForTimeout(100);
  }
  const all = await botMessages();
  // Buttons are removed once one is used, so read them now.
  return all.slice(before);
}

try {
  await page.goto(url);
  await page.waitForFunction(() => ["connected", "refused"].includes(document.getElementById("webchat").dataset.state), null, { timeout: 30000 });
  if ((await state()).state === "connected") {
    await page.waitForFunction(() => document.getElementById("webchat").dataset.conversation, null, { timeout: 10000 });
  }
  out({ ...(await state()), title: await page.title(), label: await page.textContent("label[for=webchat-input]"),
    who: await page.textContent("[data-webchat-who]"), url: page.url() });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    const before = (await botMessages()).length;
    const buttons = page.locator("#webchat .webchat-buttons .webchat-button");
    const titles = await buttons.allTextContents();
    let index = titles.findIndex((t) => t.trim().toLowerCase() === cmd.say.trim().toLowerCase());
    if (index < 0 && /^\d+$/.test(cmd.say.trim()) && Number(cmd.say) >= 1 && Number(cmd.say) <= titles.length) {
      index = Number(cmd.say) - 1;
    }
    let clicked = null;
    if (index >= 0) {
      clicked = titles[index];
      await buttons.nth(index).focus();
      await page.keyboard.press("Enter"); // keyboard usable: a focused button is pressed with Enter
    } else {
      await page.fill("#webchat-input", cmd.say);
      await page.press("#webchat-input", "Enter");
    }
    out({ replies: await newReplies(before), clicked, ...(await state()) });
  }
} catch (err) {
  out({ error: String(err && err.stack || err) });
  process.exitCode = 1;
} finally {
  await browser.close();
}
