/**
 * A whole issuance world for tests: the registry, ASP nodes (each its own
 * database and municipalities, kept fresh by its sync worker), the center
 * with issuance routed to those nodes (in process, or over real mutual TLS),
 * card factories and kiosks. Also the fault injectors of the misissuance
 * tests: slow or hanging ASP answers, and an ASP that swaps a subject.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  feedPolicyOf,
  loadMunicipality,
} from "../../services/registry/store.ts";
import { tenantPolicyColumns } from "../../services/asp/tenancy.ts";
import {
  type ContentKey,
  generateContentKey,
} from "../../lib/crypto/content_key.ts";
import type { Card } from "../../lib/card/card.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import type { Signer } from "../../lib/crypto/signer.ts";
import {
  ASP_BUILD_HEADER,
  ASP_SIGNATURE_HEADER,
  ASP_TENANT_CONFIG_HEADER,
  aspResponseSigningInput,
} from "../../lib/contracts/center_asp.ts";
import { sha256B64, signHeader } from "../../lib/contracts/signed_message.ts";
import type { Logger } from "../../lib/service/logger.ts";
import { createRenderer, type Renderer } from "../../lib/render/mod.ts";
import {
  createTestPki,
  type MtlsFetch,
  mtlsFetch,
  type MtlsServer,
  serveMtls,
} from "../../lib/tls/mod.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS as REGISTRY_TOKENS,
} from "./registry_world.ts";
import {
  ASP_TOKENS,
  openTestAsp,
  registryEvent,
  registryRecords,
  type TestAsp,
  testSigner,
  testWorker,
} from "./asp_world.ts";
import { eq } from "drizzle-orm";
import { outboxHeads } from "../../db/registry/schema.ts";
import { tenants } from "../../db/asp/schema.ts";
import { applySnapshot } from "../../services/asp/snapshot.ts";
import type { SnapshotRecord } from "../../services/asp/replica.ts";
import { generatePopulation } from "../../services/registry/seed/mod.ts";
import { replicaResident, replicaSeal } from "../../services/registry/store.ts";
import { ageOn } from "../../lib/time/clock.ts";
import {
  storeGaijiSet,
  type SyncWorker,
} from "../../services/asp/sync_worker.ts";
import { gaijiSet } from "../../services/registry/gaiji.ts";
import type { TenantConfig } from "../../services/asp/tenancy.ts";
import {
  createKiosk,
  type Kiosk,
  type KioskOptions,
  type KioskRefusal,
} from "../../services/kiosk/kiosk.ts";
import {
  type AspNode,
  createAspDirectory,
} from "../../services/jlis/issuance/asp_directory.ts";
import type { HolderIdentity } from "../../lib/card/identity_binding.ts";
import type { IssuanceConfig } from "../../services/jlis/api/common.ts";
import {
  openTestJlis,
  testBindingKeys,
  type TestJlis,
  TOKENS,
} from "./jlis_world.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createMetrics } from "../../lib/service/metrics.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { createRegistryApp } from "../../services/registry/app.ts";
import type { RegistryEnv } from "../../services/registry/api/common.ts";
import { clientsFromTokens } from "../../services/registry/auth.ts";
import {
  type CenterBindingPusher,
  createCenterBindingPusher,
} from "../../services/registry/center_binding.ts";
import { createFeedNotifier } from "../../services/registry/feed_notifier.ts";

/** A transport to an ASP node. */
export type Transport = (
  input: string,
  init?: RequestInit,
) => Promise<Response>;

/**
 * Makes an answer as the node itself would sign it (`X-Asp-Signature` with
 * the node's key, for the request `input`/`init`): a fault injector that
 * stands for a buggy node re-signs what it altered.
 */
export type Resign = (
  input: string,
  init: RequestInit | undefined,
  status: number,
  body: string,
  /** The node's original answer: its stated build and configuration are kept. */
  from?: Response,
) => Promise<Response>;

/** A {@linkcode Resign} with a node's signer. */
export function resignWith(signer: Signer): Resign {
  return async (input, init, status, body, from) => {
    const time = new Date().toISOString();
    const build = from?.headers.get(ASP_BUILD_HEADER) ?? "";
    const config = from?.headers.get(ASP_TENANT_CONFIG_HEADER) ?? "";
    const { header } = await signHeader(
      signer,
      time,
      aspResponseSigningInput({
        method: init?.method ?? "GET",
        path: new URL(input).pathname,
        requestId: new Headers(init?.headers).get("X-Request-Id") ?? "",
        status,
        time,
        bodySha256: await sha256B64(new TextEncoder().encode(body)),
        buildDigest: build,
        tenantConfigDigest: config,
      }),
    );
    return new Response(body, {
      status,
      headers: {
        "Content-Type": "application/json",
        [ASP_SIGNATURE_HEADER]: header,
        [ASP_BUILD_HEADER]: build,
        [ASP_TENANT_CONFIG_HEADER]: config,
      },
    });
  };
}

/** Options of {@linkcode openIssuanceWorld}. */
/** 北九州市 as the worlds' first tenant. */
export const KITAKYUSHU: TenantConfig = {
  code: "401005",
  name: "北九州市",
  mayor: "北九州市長　武内　和久",
};

/** One ASP node hosting 北九州市 only (the default world adds a second). */
export const ONE_NODE: { id: string; tenants: TenantConfig[] }[] = [
  { id: "node-a", tenants: [KITAKYUSHU] },
];

export interface WorldOptions {
  /** ASP nodes (default: node-a hosting 401005, node-b hosting 401307). */
  nodes?: { id: string; tenants: TenantConfig[] }[];
  /**
   * Wraps a node's transport (fault injection); `resign` signs an altered
   * answer with the node's own key (a node that is wrong, not a link).
   */
  transport?: (nodeId: string, t: Transport, resign: Resign) => Transport;
  /** Issuance deadline, ms. */
  timeoutMs?: number;
  /** More of the center's issuance configuration (failure policy, unset digests). */
  issuance?: Pick<IssuanceConfig, "failurePolicy" | "unsetDigests">;
  /** Serve the ASP nodes over HTTPS with client certificates (mTLS). */
  mtls?: boolean;
  /**
   * Loggers of the registry and the center (default: silent). Each ASP
   * node keeps its lines in `node.asp.logs`; a kiosk takes `logger` in
   * {@linkcode IssuanceWorld.kiosk}.
   */
  loggers?: { registry?: Logger; jlis?: Logger };
}

/** An ASP node of the world. */
export interface WorldNode {
  id: string;
  /** Where the center reaches it (https with mTLS). */
  url: string;
  asp: TestAsp;
  worker: SyncWorker;
  codes: string[];
}

/** The world. */
export interface IssuanceWorld {
  reg: TestRegistry;
  nodes: WorldNode[];
  jlis: TestJlis;
  clock: TestRegistry["clock"];
  /** The key the center encrypts back sides with (the portal's decryption key). */
  contentKey: ContentKey;
  /** The center's public key list, as kiosks and nodes are provisioned with it. */
  centerKeyList: KeyList;
  /** Applies every pending registry event on every node. */
  sync(): Promise<void>;
  /** Moves a person in (new household, or into `householdId`); returns the resident id. */
  moveIn(
    code: string,
    over?: Record<string, unknown>,
    into?: { householdId: string; relationship: string },
  ): Promise<string>;
  /** Posts any registry event (date 2026-11-25 unless given); returns the residents it created or changed. */
  event(code: string, body: Record<string, unknown>): Promise<string[]>;
  /** Sets an issuance block on a resident (registry). */
  block(
    code: string,
    residentId: string,
    reason: "opt_out" | "support_measure" | "municipal",
  ): Promise<void>;
  /** The household of a resident (registry). */
  householdOf(code: string, residentId: string): Promise<string>;
  /** Issues a card for a resident and links it in the registry (sync afterwards). */
  issueCard(code: string, residentId: string, pin?: string): Promise<Card>;
  /** A kiosk talking to the center in process (token: kiosk-0001's by default). */
  kiosk(opts?: Partial<KioskOptions>): Kiosk;
  /** The options of {@linkcode IssuanceWorld.kiosk} (for a kiosk screen). */
  kioskOptions(opts?: Partial<KioskOptions>): KioskOptions;
  close(): Promise<void>;
}

let rendererPromise: Promise<Renderer> | undefined;

/** The renderer shared by a test process. */
export function sharedRenderer(): Promise<Renderer> {
  return rendererPromise ??= createRenderer();
}

/**
 * Opens the world.
 *
 * @example
 * ```ts ignore
 * const w = await openIssuanceWorld();
 * try { ... } finally { await w.close(); }
 * ```
 */
export async function openIssuanceWorld(
  opts: WorldOptions = {},
): Promise<IssuanceWorld> {
  const specs = opts.nodes ?? [
    ...ONE_NODE,
    {
      id: "node-b",
      tenants: [{
        code: "401307",
        name: "福岡市",
        mayor: "福岡市長　高島　宗一郎",
      }],
    },
  ];
  const codes = specs.flatMap((s) => s.tenants.map((t) => t.code));
  const reg = await openTestRegistry(codes, {
    logger: opts.loggers?.registry,
  });
  const clock = reg.clock;
  const nodes: WorldNode[] = [];
  const servers: MtlsServer[] = [];
  const clients: MtlsFetch[] = [];
  const aspNodes: AspNode[] = [];
  const pki = opts.mtls ? await createTestPki() : undefined;
  // The center's signer, whose key list every node is provisioned with.
  const centerSigner = await testSigner();
  try {
    for (const spec of specs) {
      const asp = await openTestAsp({
        tenants: spec.tenants,
        clock,
        centerSigner,
      });
      const nodeKeys = await asp.signer.keyList();
      let url = `http://${spec.id}.test`;
      let transport: Transport = async (input, init) =>
        await asp.app.request(input, init);
      if (pki) {
        const server = serveMtls(asp.app.fetch, {
          port: 0,
          ...pki.asp,
          ca: pki.ca.cert,
        });
        servers.push(server);
        const addr = await server.ready;
        url = `https://localhost:${addr.port}`;
        const client = mtlsFetch({ ca: pki.ca.cert, ...pki.jlis });
        clients.push(client);
        transport = (input, init) => client(input, init);
      }
      nodes.push({
        id: spec.id,
        url,
        asp,
        worker: testWorker(asp, reg),
        codes: spec.tenants.map((t) => t.code),
      });
      aspNodes.push({
        id: spec.id,
        url,
        token: ASP_TOKENS.center,
        municipalities: spec.tenants.map((t) => t.code),
        fetch: opts.transport
          ? opts.transport(spec.id, transport, resignWith(asp.signer))
          : transport,
        keys: () => Promise.resolve(nodeKeys),
      });
    }
  } catch (err) {
    for (const s of servers) await s.close();
    for (const n of nodes) await n.asp.close();
    await reg.close();
    throw err;
  }
  const contentKey = await generateContentKey("enc-test-jlis");
  const jlis = await openTestJlis({
    clock,
    signer: centerSigner,
    logger: opts.loggers?.jlis,
    issuance: () => ({
      directory: createAspDirectory(aspNodes),
      contentKey,
      bindingKeys: testBindingKeys,
      timeoutMs: opts.timeoutMs,
      ...opts.issuance,
    }),
  });
  // What kiosks are provisioned with (never fetched from the center).
  const centerKeyList = await centerSigner.keyList();
  const inProcess: Transport = async (input, init) =>
    await jlis.apps[0].request(input.replace(/^https?:\/\/[^/]+/, ""), init);
  const world: IssuanceWorld = {
    reg,
    nodes,
    jlis,
    clock,
    contentKey,
    centerKeyList,
    async sync() {
      for (const n of nodes) {
        for (const code of n.codes) await loadReplica(reg, n.asp, code);
      }
    },
    async moveIn(code, over = {}, into) {
      const body: Record<string, unknown> = {
        type: "tennyu",
        date: "2026-11-20",
        person: makePerson(over),
        previousAddress: "東京都千代田区千代田１番",
      };
      if (into) {
        body.householdId = into.householdId;
        body.relationship = into.relationship;
      } else body.address = "福岡県北九州市小倉北区城内１番１号";
      const r = await registryEvent(reg, code, body);
      return r.residentIds[0];
    },
    async event(code, body) {
      return (await registryEvent(reg, code, { date: "2026-11-25", ...body }))
        .residentIds;
    },
    async block(code, residentId, reason) {
      const res = await reg.call(
        "POST",
        `/municipalities/${code}/residents/${residentId}/blocks`,
        { body: { reason, startDate: "2026-11-01" } },
      );
      const body = await res.json();
      if (res.status !== 201) throw new Error(JSON.stringify(body));
    },
    async householdOf(code, residentId) {
      const res = await reg.call(
        "GET",
        `/municipalities/${code}/residents/${residentId}`,
        { token: REGISTRY_TOKENS.city, headers: { "X-Purpose": "test" } },
      );
      const body = await res.json();
      if (res.status !== 200) throw new Error(JSON.stringify(body));
      return String(body.householdId ?? body.resident?.householdId);
    },
    async issueCard(code, residentId, pin = "1234") {
      // The window binds the card to the holder as the registry records them.
      const rec = await reg.call(
        "GET",
        `/municipalities/${code}/residents/${residentId}`,
        { headers: { "X-Purpose": "card issuance" } },
      );
      const holder = await rec.json();
      if (rec.status !== 200) throw new Error(JSON.stringify(holder));
      const card = await jlis.issueCard({
        municipalityCode: code,
        pin,
        token: code === "401005" ? TOKENS.city : TOKENS.otherCity,
        holder,
      });
      const res = await reg.call("POST", `/municipalities/${code}/card-links`, {
        body: { serial: card.serial, residentId },
      });
      const body = await res.json();
      if (res.status !== 201) {
        throw new Error(`card link: ${res.status} ${JSON.stringify(body)}`);
      }
      return card;
    },
    kiosk(k = {}) {
      return createKiosk(world.kioskOptions(k));
    },
    kioskOptions(k = {}) {
      return {
        centerUrl: "http://jlis.test",
        token: TOKENS.kiosk,
        fetch: inProcess,
        renderer: sharedRenderer,
        keyList: centerKeyList,
        ...k,
      };
    },
    async close() {
      await jlis.close();
      for (const c of clients) c.close();
      for (const s of servers) await s.close();
      for (const n of nodes) await n.asp.close();
      await reg.close();
    },
  };
  return world;
}

/**
 * Brings a node's replica of `code` to the registry's head: a full snapshot
 * of the registry's current state (the media path of the ASP, not its feed
 * worker: the tests here are about the center), then the tenant marked fresh
 * at the shared clock.
 */
export async function loadReplica(
  reg: TestRegistry,
  asp: TestAsp,
  code: string,
): Promise<void> {
  const [head] = await reg.database.db.select().from(outboxHeads).where(
    eq(outboxHeads.municipalityCode, code),
  );
  const headSeq = Number(head?.lastSeq ?? 0);
  // The municipality's policy, as every feed answer carries it.
  const policy = feedPolicyOf(await loadMunicipality(reg.database.db, code));
  const t = await asp.tenancy.get(code);
  if (t.snapshotSeq === null || headSeq > Number(t.snapshotSeq)) {
    await applySnapshot(
      asp.tenancy,
      code,
      await registryRecords(reg.database.db, code),
      headSeq,
      { actor: "test", at: asp.clock.now(), policy },
    );
  }
  await markFresh(asp, code, headSeq);
  await asp.tenancy.db.update(tenants).set(tenantPolicyColumns(policy))
    .where(eq(tenants.code, code));
  // And its 外字, as the feed answer carries them.
  await storeGaijiSet(
    asp.tenancy,
    code,
    await gaijiSet(reg.database.db, code, t.gaijiVersion),
  );
}

/** Marks a tenant's replica as fresh at `headSeq` (head seen now). */
export async function markFresh(
  asp: TestAsp,
  code: string,
  headSeq: number,
): Promise<void> {
  await asp.tenancy.db.update(tenants).set({
    headSeq,
    headSeenAt: asp.clock.now().toISOString(),
    syncState: "running",
  }).where(eq(tenants.code, code));
}

/** What happens to one call to an ASP node. */
export interface FaultPlan {
  /** Hold the call this long first (the center's deadline may abort it). */
  delayMs?: number;
  /** Let the ASP do the work, then lose its answer to a transport timeout. */
  lose?: boolean;
}

/** A fault injector between the center and an ASP node. */
export interface FaultInjector {
  wrap: (nodeId: string, t: Transport, resign: Resign) => Transport;
  /** Swap the first sheet's subject of the next `n` builds with another person's. */
  swapSubjects(n: number): void;
  /** Decide each call's fault (`n` counts calls from 1). */
  plan(
    fn: (call: { n: number; method: string; url: string }) => FaultPlan,
  ): void;
  /** Delay every call by `ms()`. */
  delay(ms: () => number): void;
  /** Builds whose subject was swapped. */
  readonly swapped: number;
  /** Answers lost after the work was done. */
  readonly lost: number;
}

/**
 * Creates a fault injector: slow answers, answers that never come before the
 * deadline, answers lost after the ASP did the work, and an ASP that puts
 * another person on a certificate (the 2023 failure) — by swapping the
 * first sheet's subject with the subject of an earlier build for someone
 * else.
 *
 * @example
 * ```ts ignore
 * const faults = faultInjector();
 * const w = await openIssuanceWorld({ transport: faults.wrap });
 * faults.swapSubjects(1);
 * ```
 */
export function faultInjector(): FaultInjector {
  let swaps = 0;
  let swapped = 0;
  let lost = 0;
  let calls = 0;
  let planOf:
    | ((c: { n: number; method: string; url: string }) => FaultPlan)
    | undefined;
  const donors: Record<string, unknown>[] = [];
  const wait = (ms: number, signal?: AbortSignal | null) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  return {
    swapSubjects(n) {
      swaps += n;
    },
    plan(fn) {
      planOf = fn;
    },
    delay(ms) {
      planOf = () => ({ delayMs: ms() });
    },
    get swapped() {
      return swapped;
    },
    get lost() {
      return lost;
    },
    wrap: (_nodeId, t, resign) => async (input, init) => {
      const plan = planOf?.({
        n: ++calls,
        method: init?.method ?? "GET",
        url: input,
      }) ?? {};
      if (plan.delayMs) await wait(plan.delayMs, init?.signal);
      const res = await t(input, init);
      if (plan.lose) {
        await res.body?.cancel();
        lost++;
        await wait(20, init?.signal);
        throw new DOMException("ASP answer lost (injected)", "TimeoutError");
      }
      if (
        init?.method !== "POST" || !/\/certificates$/.test(input) ||
        res.status !== 201
      ) return res;
      const body = await res.json();
      const first = body.sheets?.[0];
      if (swaps > 0) {
        const donor = donors.find((d) =>
          d.residentId !== first?.subject?.residentId
        );
        if (donor) {
          swaps--;
          swapped++;
          first.subject = donor;
        }
      } else if (first?.subject && donors.length < 8) {
        donors.push(first.subject);
      }
      return await resign(input, init, res.status, JSON.stringify(body), res);
    },
  };
}

/** A resident who may be issued a certificate, with their household. */
export interface Applicant {
  code: string;
  residentId: string;
  householdId: string;
  /** Non-removed members of the household (the applicant included). */
  household: string[];
  /** Name, birth date and sex: what the card's holder binding covers. */
  holder: HolderIdentity;
  /** Set once a card was issued. */
  card?: Card;
}

/**
 * A generated population (services/registry/seed) as replica snapshot
 * records, and the residents the rules let apply on 2026-11-26 (active,
 * 15 or older, no block, household not moving out, not moved in today).
 *
 * @example
 * ```ts
 * const { records, applicants } = generatedPopulation("401005", 50, 11);
 * ```
 */
export function generatedPopulation(
  code: string,
  residents: number,
  seed: number,
  today = "2026-11-26",
): { applicants: Applicant[]; records: SnapshotRecord[] } {
  const records: SnapshotRecord[] = [];
  const applicants: Applicant[] = [];
  for (
    const chunk of generatePopulation({
      municipalityCode: code,
      residents,
      seed,
    })
  ) {
    const blocked = new Set(chunk.blocks.map((b) => b.residentId));
    const members = new Map<string, string[]>();
    for (const r of chunk.residents) {
      if (r.status === "removed") continue;
      const list = members.get(r.householdId) ?? [];
      list.push(r.id);
      members.set(r.householdId, list);
    }
    const households = new Map(chunk.households.map((h) => [h.id, h]));
    const byId = new Map(chunk.residents.map((r) => [r.id, r]));
    for (const h of chunk.households) {
      records.push({ kind: "household", data: { ...h } });
    }
    for (const r of chunk.residents) {
      records.push({
        kind: "resident",
        data: replicaResident(r, { printMyNumberAtKiosk: false }),
      });
      const h = households.get(r.householdId);
      const householder = h?.householderId ? byId.get(h.householderId) : null;
      if (
        r.status === "active" && ageOn(r.birthDate, today) >= 15 &&
        !blocked.has(r.id) && r.becameResidentDate !== today &&
        householder?.status !== "moving_out"
      ) {
        applicants.push({
          code,
          residentId: r.id,
          householdId: r.householdId,
          household: members.get(r.householdId) ?? [r.id],
          holder: {
            name: r.name,
            birthDate: r.birthDate,
            sex: r.sex as HolderIdentity["sex"],
          },
        });
      }
    }
    for (const s of chunk.seals) {
      records.push({ kind: "seal", data: replicaSeal(s) });
    }
    for (const b of chunk.blocks) {
      records.push({ kind: "block", data: { ...b } });
    }
  }
  return { applicants, records };
}

/** A card link as a replica snapshot record. */
export function cardRecord(
  code: string,
  serial: string,
  residentId: string,
): SnapshotRecord {
  return {
    kind: "card",
    data: {
      serial,
      residentId,
      unlinkedAt: null,
      municipalityCode: code,
      linkedAt: "2026-11-20T00:00:00Z",
    },
  };
}

/** A registry as municipalities deploy it, pushing card bindings to the world's center. */
export interface RegistryWindows {
  /**
   * The registry app; each municipality's window client is `city-<code>`
   * with bearer `window-<code>` (read, write, card_link).
   */
  app: OpenAPIHono<RegistryEnv>;
  /** Its pusher to the center (`idle()`: the pushes under way answered). */
  pusher: CenterBindingPusher;
}

/**
 * The world's registry as deployed for the municipalities `centerTokens`
 * names: its events push binding updates and move-outs to the world's
 * (first) center in process, each with its municipality's own center
 * credential.
 *
 * @example
 * ```ts ignore
 * const { app, pusher } = openRegistryWindows(w, { "401005": TOKENS.city });
 * ```
 */
export function openRegistryWindows(
  w: IssuanceWorld,
  centerTokens: Record<string, string>,
): RegistryWindows {
  const pusher = createCenterBindingPusher({
    db: w.reg.database.db,
    centerUrl: "http://center.test",
    tokenFor: (code) => centerTokens[code] ?? null,
    keys: testBindingKeys,
    logger: silentLogger(),
    fetch: async (input, init) =>
      await w.jlis.apps[0].request(
        String(input).replace("http://center.test", ""),
        init,
      ),
    retryMs: 10,
  });
  const app = createRegistryApp({
    db: w.reg.database.db,
    clock: w.clock,
    clients: clientsFromTokens(
      Object.keys(centerTokens).map((code) => ({
        id: `city-${code}`,
        token: `window-${code}`,
        scopes: ["read", "write", "card_link"],
        municipalities: [code],
      })),
    ),
    notifier: createFeedNotifier(),
    centerBinding: pusher,
    logger: silentLogger(),
    metrics: createMetrics(),
  });
  return { app, pusher };
}

/**
 * A kiosk answer the test needs served (a receipt, a session, a household):
 * a refusal fails the test with its code.
 *
 * @example
 * ```ts ignore
 * const receipt = served(await kiosk.run({ card, pin: "1234", type: "juminhyo" }));
 * ```
 */
export function served<T extends { ok: true }>(r: T | KioskRefusal): T {
  if (!r.ok) assert.fail(`refused: ${r.code} ${r.message_en}`);
  return r;
}
