/**
 * The PIN pad's script: the on-screen keys type into the masked PIN field
 * (訂正 removes the last digit, クリア all of them). Without JavaScript the
 * pad stays hidden and the field takes the digits from the keyboard, so the
 * form works either way. Served as `/pin_pad.js` from the function's own
 * source, so it is type-checked with the rest.
 *
 * @module
 */

/** Wires the pad (runs in the browser). */
export function pinPad(): void {
  const input = document.getElementById("pin") as HTMLInputElement | null;
  const pad = document.getElementById("pin-pad");
  if (!input || !pad) return;
  pad.hidden = false;
  pad.addEventListener("click", (e) => {
    const key = (e.target as HTMLElement).closest("button")?.dataset.key;
    if (!key) return;
    if (key === "back") input.value = input.value.slice(0, -1);
    else if (key === "clear") input.value = "";
    else if (input.value.length < 4) input.value += key;
  });
}

/**
 * The script as served.
 *
 * @example
 * ```ts
 * PIN_PAD_JS.startsWith("(function pinPad"); // true
 * ```
 */
export const PIN_PAD_JS = `(${pinPad.toString()})();\n`;
