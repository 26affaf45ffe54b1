/**
 * How the browser tests start Debian's Chromium (headless, no sandbox as
 * root, nothing of its own on the network).
 *
 * @module
 */

/** Chromium's executable (installed by scripts/setup.ts). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Command-line flags of every browser test. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
