/**
 * What every contract module shares: the error a consumer gets for a
 * message that does not match its contract, the parse that raises it, and
 * base64 as the wire carries bytes.
 *
 * A consumer parses every message with the contract's schema before using
 * it, so a bad answer from another party is refused with a message naming
 * the field, never a `TypeError` deep inside the consumer.
 *
 * @module
 */
import type { z } from "zod";

/**
 * A message that does not match its contract. `issues` lists each problem
 * as `path: message`.
 */
export class ContractError extends Error {
  /** Each problem, `path: message`. */
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[]) {
    super(`${what} is malformed: ${issues.join("; ")}`);
    this.name = "ContractError";
    this.issues = issues;
  }
}

/** One zod issue as `path: message` (`(root)` for the message itself). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
  return `${path}: ${issue.message}`;
}

/**
 * Parses a message with its contract's schema; throws
 * {@linkcode ContractError} naming `what` and every problem.
 *
 * @example
 * ```ts ignore
 * const doc = parseMessage(releasedDocumentSchema, await res.json(), "The released document");
 * ```
 */
export function parseMessage<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ContractError(what, r.error.issues.slice(0, 5).map(describeIssue));
}
