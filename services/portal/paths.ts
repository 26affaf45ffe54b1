/**
 * Where the portal's files live.
 *
 * @module
 */

/** The project root (holds routes/, islands/, static/). */
export const PORTAL_ROOT: string = new URL("../../", import.meta.url).pathname
  .replace(/\/$/, "");

/** The static folder: built island scripts, css, icon. */
export const STATIC_DIR = `${PORTAL_ROOT}/static`;
