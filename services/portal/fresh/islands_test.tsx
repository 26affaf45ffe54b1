import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import {
  assertSerializable,
  collectIslands,
  registerIsland,
  serializeIslandProps,
} from "./islands.ts";

function Counter(props: { start: number; label: string }) {
  return <button type="button">{props.label} {props.start}</button>;
}
registerIsland("Counter", Counter);

Deno.test("collectIslands() wraps each island in a marker and collects its props in order", () => {
  const { result, islands } = collectIslands(() =>
    renderToString(
      <main>
        <Counter start={1} label="a" />
        <p>static</p>
        <Counter start={2} label="b" />
      </main>,
    )
  );
  assert.equal(
    result,
    '<main><div data-island="Counter" data-island-key="0" class="island"><button type="button">a 1</button></div>' +
      '<p>static</p><div data-island="Counter" data-island-key="1" class="island"><button type="button">b 2</button></div></main>',
  );
  assert.deepEqual(islands, [
    { name: "Counter", props: { start: 1, label: "a" } },
    { name: "Counter", props: { start: 2, label: "b" } },
  ]);
});

Deno.test("outside collectIslands() an island renders as a plain component", () => {
  assert.equal(
    renderToString(<Counter start={3} label="c" />),
    '<button type="button">c 3</button>',
  );
});

Deno.test("island props that do not serialize are refused, naming the prop", () => {
  assert.throws(
    () =>
      collectIslands(() =>
        renderToString(
          // deno-lint-ignore no-explicit-any
          <Counter start={1} label="x" {...({ onDone: () => {} } as any)} />,
        )
      ),
    /Island Counter: props\.onDone is a function/,
  );
  assert.throws(
    () => assertSerializable({ d: new Date() }, "p"),
    /p\.d is an instance of Date/,
  );
  assert.throws(() => assertSerializable({ n: NaN }, "p"), /p\.n is NaN/);
  assert.throws(
    () => assertSerializable({ a: [1, undefined] }, "p"),
    /undefined at \[1\]/,
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => assertSerializable(cyclic, "p"), /cycle/);
  assertSerializable({ a: [1, "x", null, { b: true }] }, "p");
});

Deno.test("serializeIslandProps() cannot close the script element or open markup", () => {
  const text = serializeIslandProps([{
    name: "X",
    props: { s: "</script><script>alert(1)</script>&\u2028" },
  }]);
  assert.doesNotMatch(text, /<|>|&|\u2028/);
  assert.deepEqual(JSON.parse(text), [{
    s: "</script><script>alert(1)</script>&\u2028",
  }]);
});
