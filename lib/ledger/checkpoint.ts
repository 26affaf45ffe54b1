/**
 * Signed checkpoints of a hash chain's head: `(chain, number, seq, hash,
 * at, keyId)` signed with ECDSA P-256 by the chain's owner (lib/crypto/
 * signer.ts). Copies kept elsewhere (a municipality's registry, an export)
 * anchor the chain: rewriting every entry with recomputed hashes still
 * walks cleanly from the genesis hash, but no longer passes through the
 * `(seq, hash)` of a checkpoint signed before the rewrite, and a checkpoint
 * cannot be re-signed without the private key.
 *
 * Signed text: `CHECKPOINT_CONTEXT ‖ canonical JSON of the fields above`;
 * `chain` separates the center's ledger from the portal's audit file, and
 * `number` (1, 2, 3, … per chain) lets a holder of copies see a gap.
 *
 * @module
 */
import { z } from "zod";
import { findVerificationKey, type KeyList } from "../crypto/key_list.ts";
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";
import type { Signer } from "../crypto/signer.ts";
import {
  canonicalJson,
  type ChainEntry,
  type ChainVerification,
  GENESIS_HASH,
  verifyChain,
} from "./chain.ts";

/** What every signed checkpoint text starts with (domain separation). */
export const CHECKPOINT_CONTEXT = "konbini-checkpoint/v1\n";

/** The chain of the center's issuance ledger. */
export const LEDGER_CHAIN = "jlis-ledger";
/** The chain of the verification portal's audit file. */
export const PORTAL_AUDIT_CHAIN = "portal-audit";

/** A signed checkpoint as published and copied. */
export interface Checkpoint {
  /** Which chain (`jlis-ledger`, `portal-audit`). */
  chain: string;
  /** 1, 2, 3, … per chain. */
  number: number;
  /** Sequence number of the chain's head entry (0: empty chain). */
  seq: number;
  /** Hash of that entry (hex). */
  hash: string;
  /** ISO 8601 instant of signing. */
  at: string;
  /** Id of the signing key (in the owner's public key list). */
  keyId: string;
  /** ECDSA P-256 r‖s, base64url. */
  signature: string;
}

/** A stored ledger checkpoint row (the center's table or a registry's copies). */
export interface LedgerCheckpointRow {
  number: number | bigint | string;
  seq: number | bigint | string;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

/**
 * A stored row of the center's ledger chain as a {@linkcode Checkpoint}.
 *
 * @example
 * ```ts
 * ledgerCheckpointOf({ number: 1, seq: 10, hash: "ab", at: "2026-11-26T01:00:00Z", keyId: "k", signature: "s" });
 * ```
 */
export function ledgerCheckpointOf(r: LedgerCheckpointRow): Checkpoint {
  return {
    chain: LEDGER_CHAIN,
    number: Number(r.number),
    seq: Number(r.seq),
    hash: r.hash,
    at: r.at,
    keyId: r.keyId,
    signature: r.signature,
  };
}

/** Wire schema of a checkpoint (for services that receive copies). */
export const checkpointSchema = z.object({
  chain: z.string().min(1).max(64),
  number: z.number().int().min(1),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().datetime({ offset: true }),
  keyId: z.string().min(1).max(128),
  signature: z.string().regex(/^[A-Za-z0-9_-]{20,200}$/),
});

/** A list of checkpoints (`GET …/checkpoints`). */
export const checkpointListSchema = z.object({
  checkpoints: z.array(checkpointSchema),
});

/** The bytes a checkpoint's signature covers. */
export function checkpointSignedBytes(
  c: Omit<Checkpoint, "signature">,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    CHECKPOINT_CONTEXT + canonicalJson({
      chain: c.chain,
      number: c.number,
      seq: c.seq,
      hash: c.hash,
      at: c.at,
      keyId: c.keyId,
    }),
  );
}

/**
 * Signs a checkpoint of a chain's head with the signer's active key.
 *
 * @example
 * ```ts ignore
 * const cp = await signCheckpoint(signer, { chain: LEDGER_CHAIN, number: 1, seq: 42, hash, at: new Date() });
 * ```
 */
export async function signCheckpoint(
  signer: Signer,
  head: { chain: string; number: number; seq: number; hash: string; at: Date },
): Promise<Checkpoint> {
  const unsigned = {
    chain: head.chain,
    number: head.number,
    seq: head.seq,
    hash: head.hash,
    at: head.at.toISOString(),
    keyId: signer.activeKeyId(),
  };
  const sig = await signer.sign(
    unsigned.keyId,
    checkpointSignedBytes(unsigned),
  );
  return {
    ...unsigned,
    signature: sig.toBase64({ alphabet: "base64url", omitPadding: true }),
  };
}

/** Why a checkpoint's signature is not accepted. */
export type CheckpointSignatureProblem =
  | "unknown-key"
  | "key-not-valid"
  | "bad-signature"
  | "wrong-chain";

/**
 * Checks one checkpoint's signature against a provisioned public key list
 * (the key must have been valid when the checkpoint says it was signed).
 * Null when it verifies.
 *
 * @example
 * ```ts ignore
 * const problem = await checkCheckpointSignature(keyList, cp, LEDGER_CHAIN);
 * ```
 */
export async function checkCheckpointSignature(
  keyList: KeyList,
  cp: Checkpoint,
  chain: string,
): Promise<CheckpointSignatureProblem | null> {
  if (cp.chain !== chain) return "wrong-chain";
  const found = await findVerificationKey(keyList, cp.keyId, new Date(cp.at));
  if (found.status === "unknown") return "unknown-key";
  if (found.status !== "ok") return "key-not-valid";
  let sig: Uint8Array;
  try {
    sig = Uint8Array.fromBase64(cp.signature, { alphabet: "base64url" });
  } catch {
    return "bad-signature";
  }
  if (sig.length !== 64) return "bad-signature";
  const ok = await verifyEcdsaP256(found.key, sig, checkpointSignedBytes(cp));
  return ok ? null : "bad-signature";
}

/** Result of {@linkcode verifyAgainstCheckpoints}. */
export type AnchoredVerification =
  | {
    ok: true;
    entries: number;
    headSeq: number;
    headHash: string;
    /** Checkpoints checked. */
    checkpoints: number;
  }
  | {
    ok: false;
    problem: "chain" | "checkpoint-signature" | "checkpoint-mismatch";
    /** The chain walk's own failure (problem `chain`). */
    chain?: Extract<ChainVerification, { ok: false }>;
    /** The first checkpoint refused or not matched. */
    checkpoint?: Checkpoint;
    detail: string;
  };

/** A checkpoint refused or no longer matched, or null. */
export type CheckpointFinding = {
  problem: "checkpoint-signature" | "checkpoint-mismatch";
  checkpoint: Checkpoint;
  detail: string;
} | null;

/**
 * Checks every checkpoint's signature (in number order), then that the
 * chain as read — `hashes` maps each checkpointed seq to the hash found
 * there, `headSeq` is where the chain ends — passes through each
 * checkpoint's `(seq, hash)`. The first finding, or null.
 *
 * @example
 * ```ts ignore
 * const finding = await matchCheckpoints(checkpoints, keyList, PORTAL_AUDIT_CHAIN, hashes, lines);
 * ```
 */
export async function matchCheckpoints(
  checkpoints: Checkpoint[],
  keyList: KeyList,
  chain: string,
  hashes: ReadonlyMap<number, string>,
  headSeq: number,
): Promise<CheckpointFinding> {
  return await checkpointSignatures(checkpoints, keyList, chain) ??
    checkpointHashes(checkpoints, hashes, headSeq);
}

async function checkpointSignatures(
  checkpoints: Checkpoint[],
  keyList: KeyList,
  chain: string,
): Promise<CheckpointFinding> {
  for (const cp of [...checkpoints].sort((a, b) => a.number - b.number)) {
    const problem = await checkCheckpointSignature(keyList, cp, chain);
    if (problem) {
      return {
        problem: "checkpoint-signature",
        checkpoint: cp,
        detail: `checkpoint ${cp.number} (entry ${cp.seq}) refused: ${problem}`,
      };
    }
  }
  return null;
}

function checkpointHashes(
  checkpoints: Checkpoint[],
  hashes: ReadonlyMap<number, string>,
  headSeq: number,
): CheckpointFinding {
  for (const cp of [...checkpoints].sort((a, b) => a.number - b.number)) {
    const actual = hashes.get(cp.seq);
    if (actual !== cp.hash) {
      return {
        problem: "checkpoint-mismatch",
        checkpoint: cp,
        detail: actual === undefined
          ? `checkpoint ${cp.number} signed at ${cp.at} names entry ${cp.seq}, beyond the chain's end (${headSeq})`
          : `checkpoint ${cp.number} signed at ${cp.at}: entry ${cp.seq} no longer has the signed hash (rewritten)`,
      };
    }
  }
  return null;
}

/**
 * Walks a chain and checks it against signed checkpoints: every signature
 * must verify with `keyList` (never a list fetched from the link being
 * checked), and the chain must pass through each checkpoint's `(seq, hash)`.
 * Reports the first checkpoint (by number) whose signature is refused,
 * else the chain's own first bad entry, else the first checkpoint that no
 * longer matches (a rewrite, or entries cut off below it).
 *
 * @example
 * ```ts ignore
 * const v = await verifyAgainstCheckpoints(entries, checkpoints, keyList, { chain: LEDGER_CHAIN });
 * if (!v.ok) console.error(v.detail);
 * ```
 */
export async function verifyAgainstCheckpoints(
  entries: AsyncIterable<ChainEntry> | Iterable<ChainEntry>,
  checkpoints: Checkpoint[],
  keyList: KeyList,
  opts: { chain: string; expectedHead?: { seq: number; hash: string } },
): Promise<AnchoredVerification> {
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashes = new Map<number, string>([[0, GENESIS_HASH]]);
  async function* tap() {
    for await (const e of entries) {
      if (wanted.has(e.seq)) hashes.set(e.seq, e.hash);
      yield e;
    }
  }
  const signed = await checkpointSignatures(checkpoints, keyList, opts.chain);
  if (signed) return { ok: false, ...signed };
  const walk = await verifyChain(tap(), { expectedHead: opts.expectedHead });
  if (!walk.ok) {
    return {
      ok: false,
      problem: "chain",
      chain: walk,
      detail: `entry ${walk.seq}: ${walk.problem} — ${walk.detail}`,
    };
  }
  const found = checkpointHashes(checkpoints, hashes, walk.headSeq);
  if (found) return { ok: false, ...found };
  return {
    ok: true,
    entries: walk.entries,
    headSeq: walk.headSeq,
    headHash: walk.headHash,
    checkpoints: checkpoints.length,
  };
}

/**
 * Checks that a list of checkpoints is contiguous from `after + 1` (no
 * gap, no repeat) and that their heads never go back. Null when it is.
 *
 * @example
 * ```ts ignore
 * const gap = checkpointSequenceProblem(page, lastNumber, lastSeq);
 * ```
 */
export function checkpointSequenceProblem(
  list: Checkpoint[],
  after: number,
  afterSeq: number,
): string | null {
  let n = after;
  let seq = afterSeq;
  for (const cp of list) {
    if (cp.number !== n + 1) {
      return `expected checkpoint ${n + 1}, got ${cp.number}`;
    }
    if (cp.seq < seq) {
      return `checkpoint ${cp.number} goes back to entry ${cp.seq} (was ${seq})`;
    }
    n = cp.number;
    seq = cp.seq;
  }
  return null;
}
