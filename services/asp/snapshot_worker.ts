/**
 * Worker of {@linkcode applySnapshotChunks}: turns verified NDJSON chunks
 * into binary COPY rows of the tenant's tables — parse, project, seal under
 * the tenant's data key — so that both cores share the work while the main
 * thread reads the file and feeds the database.
 *
 * Messages in: `{ type: "init", code, dataKey, printMyNumber }` (the data
 * key is this process's own, handed over once), then
 * `{ type: "chunk", id, kind, ndjson }` (transferred).
 * Messages out: `{ type: "rows", id, kind, records, bytes }` (transferred),
 * `{ type: "error", id, name, message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type TenantCipher, tenantCipher } from "./keys.ts";
import { type ProjectionPolicy, ReplicaDataError } from "./replica.ts";
import {
  CopyRows,
  encodeNdjson,
  SNAPSHOT_TABLES,
  type SnapshotKind,
} from "./snapshot_rows.ts";

let cipher: TenantCipher | null = null;
let policy: ProjectionPolicy | null = null;

self.onmessage = (e: MessageEvent) => {
  const m = e.data;
  if (m.type === "init") {
    cipher = tenantCipher(m.code, m.dataKey);
    (m.dataKey as Uint8Array).fill(0);
    policy = { code: m.code, printMyNumber: m.printMyNumber };
    return;
  }
  if (m.type !== "chunk") return;
  try {
    if (!cipher || !policy) throw new Error("snapshot worker not initialized");
    const kind = m.kind as SnapshotKind;
    const table = SNAPSHOT_TABLES[kind];
    if (!table) throw new ReplicaDataError(`unknown kind '${String(kind)}'`);
    const rows = new CopyRows(table, (m.ndjson as Uint8Array).length + 4096);
    const records = encodeNdjson(rows, cipher, policy, kind, m.ndjson);
    const bytes = rows.take();
    self.postMessage(
      { type: "rows", id: m.id, kind, records, bytes },
      [bytes.buffer],
    );
  } catch (err) {
    self.postMessage({
      type: "error",
      id: m.id,
      name: (err as Error)?.name ?? "Error",
      message: String((err as Error)?.message ?? err),
    });
  }
};
