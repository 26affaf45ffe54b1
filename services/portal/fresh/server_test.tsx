import assert from "node:assert/strict";
import { Hono } from "hono";
import { mountFresh } from "./server.ts";
import type {
  AppProps,
  ErrorPageProps,
  FreshContext,
  Manifest,
  PageProps,
} from "./types.ts";

type State = { trail: string[]; title?: string };

function Note(props: { text: string }) {
  return <em>{props.text}</em>;
}

function testManifest(): Manifest {
  const mw = (name: string) => ({
    handler: async (_req: Request, ctx: FreshContext<State>) => {
      ctx.state.trail.push(name);
      const res = await ctx.next();
      res.headers.append("x-trail", name);
      return res;
    },
  });
  return {
    baseUrl: "file:///x/",
    islands: { "./islands/Note.tsx": { default: Note } },
    routes: {
      "./routes/_app.tsx": {
        default: ({ Component, state }: AppProps<State>) => (
          <html>
            <head>
              <title>{state.title ?? "site"}</title>
            </head>
            <body>
              <Component />
            </body>
          </html>
        ),
      },
      "./routes/_layout.tsx": {
        default: ({ Component }: AppProps<State>) => (
          <div class="outer">
            <Component />
          </div>
        ),
      },
      "./routes/_middleware.ts": mw("root"),
      "./routes/_error.tsx": {
        default: ({ status, state }: ErrorPageProps<State>) => {
          state.title = `error ${status}`;
          return <p class="error">{status}</p>;
        },
      },
      "./routes/index.tsx": {
        default: ({ state }: PageProps<unknown, State>) => (
          <p>home {state.trail.join(">")}</p>
        ),
      },
      "./routes/admin/_middleware.ts": mw("admin"),
      "./routes/admin/_layout.tsx": {
        default: ({ Component }: AppProps<State>) => (
          <section class="inner">
            <Component />
          </section>
        ),
      },
      "./routes/admin/[id].tsx": {
        handler: {
          GET: (_req: Request, ctx: FreshContext<State, { id: string }>) => {
            ctx.state.title = `item ${ctx.params.id}`;
            return ctx.render({ id: ctx.params.id }, { status: 201 });
          },
          POST: () => new Response("posted"),
        },
        default: ({ data }: PageProps<{ id: string }, State>) => (
          <p>
            item {data.id} <Note text={`note ${data.id}`} />
          </p>
        ),
      },
      "./routes/boom.tsx": {
        default: () => {
          throw new Error("render failed");
        },
      },
      "./routes/api/raw.ts": { handler: () => Response.json({ ok: true }) },
      "./routes/bare.tsx": {
        config: { skipAppWrapper: true, skipInheritedLayouts: true },
        default: () => <p>bare</p>,
      },
    },
  };
}

const tmp = await Deno.makeTempDir({ prefix: "fresh-test-" });
const staticDir = `${tmp}/static`;
await Deno.mkdir(staticDir);
await Deno.writeTextFile(`${staticDir}/island-Note.js`, "console.log(1)");
await Deno.writeTextFile(`${staticDir}/site.css`, "p{}");
await Deno.writeTextFile(`${tmp}/secret.txt`, "no");
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);

function setup() {
  const app = new Hono();
  const fresh = mountFresh(app, {
    manifest: testManifest(),
    staticDir,
    state: () => ({ trail: [] }),
  });
  app.onError((err, c) => fresh.renderError(c, 500, err));
  app.notFound((c) => fresh.renderError(c, 404));
  return { app, fresh };
}

Deno.test("mountFresh() mounts each route with its folders' middleware and layouts, outermost first", () => {
  const { fresh } = setup();
  const admin = fresh.routes.find((r) => r.pattern === "/admin/:id")!;
  assert.deepEqual(admin.middleware, [
    "./routes/_middleware.ts",
    "./routes/admin/_middleware.ts",
  ]);
  assert.deepEqual(admin.layouts, [
    "./routes/_layout.tsx",
    "./routes/admin/_layout.tsx",
  ]);
  assert.deepEqual(fresh.routes.map((r) => r.pattern).sort(), [
    "/",
    "/admin/:id",
    "/api/raw",
    "/bare",
    "/boom",
  ]);
  assert.match(
    fresh.islandScripts.Note,
    /^\/static\/island-Note\.js\?v=[0-9a-f]{8}$/,
  );
});

Deno.test("a page renders inside its layouts and _app; middleware runs in order around it", async () => {
  const { app } = setup();
  const res = await app.request("/admin/42");
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("x-trail"), "admin, root");
  const html = await res.text();
  assert.match(html, /^<!DOCTYPE html><html><head><title>item 42<\/title>/);
  assert.match(
    html,
    /<div class="outer"><section class="inner"><p>item 42 <div data-island="Note"/,
  );
  assert.match(
    html,
    /<script type="application\/json" id="__PORTAL_ISLANDS__">\[\{"text":"note 42"\}\]<\/script>/,
  );
  assert.match(
    html,
    /<script type="module" src="\/static\/island-Note\.js\?v=[0-9a-f]{8}"><\/script><\/body>/,
  );
});

Deno.test("a page without islands ships no script at all", async () => {
  const { app } = setup();
  const html = await (await app.request("/")).text();
  assert.match(html, /<p>home root<\/p>/);
  assert.doesNotMatch(html, /<script/);
});

Deno.test("routes answer 405 with Allow for other methods, HEAD without a body, POST by handler", async () => {
  const { app } = setup();
  const del = await app.request("/admin/1", { method: "DELETE" });
  assert.equal(del.status, 405);
  assert.equal(del.headers.get("allow"), "GET, POST, HEAD");
  await del.body?.cancel();
  const head = await app.request("/admin/1", { method: "HEAD" });
  assert.equal(head.status, 201);
  assert.equal(await head.text(), "");
  assert.equal(
    await (await app.request("/admin/1", { method: "POST" })).text(),
    "posted",
  );
  assert.deepEqual(await (await app.request("/api/raw")).json(), { ok: true });
});

Deno.test("_error renders 404s and failures inside _app; config can skip the wrappers", async () => {
  const { app } = setup();
  const missing = await app.request("/nope");
  assert.equal(missing.status, 404);
  assert.match(
    await missing.text(),
    /<title>error 404<\/title>.*<p class="error">404<\/p>/,
  );
  const boom = await app.request("/boom");
  assert.equal(boom.status, 500);
  assert.match(await boom.text(), /<p class="error">500<\/p>/);
  assert.equal(
    await (await app.request("/bare")).text(),
    "<!DOCTYPE html><p>bare</p>",
  );
});

Deno.test("/static serves only plain file names of known types from the static folder", async () => {
  const { app } = setup();
  const css = await app.request("/static/site.css");
  assert.equal(css.status, 200);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  await css.body?.cancel();
  const js = await app.request("/static/island-Note.js?v=1");
  assert.match(js.headers.get("cache-control")!, /immutable/);
  await js.body?.cancel();
  for (
    const path of [
      "/static/..%2Fsecret.txt",
      "/static/.hidden.css",
      "/static/x.exe",
      "/static/missing.css",
    ]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});
