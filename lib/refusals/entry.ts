/**
 * The one entry shape of every catalogue of codes in the system: a stable
 * machine code maps to its wording in Japanese and English, and — for a
 * refusal answered over HTTP — its status. A wording is a plain string, or a
 * function of the refusal's details when it quotes them (a size limit, a key
 * id). Each catalogue is written once as
 * `as const satisfies Record<Code, ...>` so the compiler checks that every
 * code has every field; services derive their tables from it.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A text, or a text built from the details of one refusal or reason. */
export type Text<D> = string | ((d: D) => string);

/** What every catalogue entry says, in both languages. */
export interface Wording<D = Record<string, never>> {
  /** Japanese: what the person in front of the screen reads. */
  readonly ja: Text<D>;
  /** English. */
  readonly en: Text<D>;
}

/** A refusal answered over HTTP: its status and its wording. */
export interface RefusalEntry<D = Record<string, never>> extends Wording<D> {
  /** HTTP status of the refusal. */
  readonly status: ContentfulStatusCode;
}

/**
 * The wording of an entry with its details filled in.
 *
 * @example
 * ```ts
 * say({ ja: (d: { n?: number }) => `${d.n}件`, en: "n" }, { n: 2 }); // { ja: "2件", en: "n" }
 * ```
 */
export function say<D>(
  entry: Wording<D>,
  details: D,
): { ja: string; en: string } {
  return {
    ja: typeof entry.ja === "function" ? entry.ja(details) : entry.ja,
    en: typeof entry.en === "function" ? entry.en(details) : entry.en,
  };
}
