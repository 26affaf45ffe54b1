/**
 * The municipality's form profile as the ASP applies it: one accessor, so
 * that every reader takes the same value. The registry's municipality record
 * is the source; the feed carries it to the tenant's directory row
 * (`formProfile`); a tenant without one prints with the default profile
 * (個票式, lib/contracts/form_profile.ts).
 *
 * @module
 */
import {
  DEFAULT_FORM_PROFILE,
  type FormProfile,
} from "../../lib/contracts/form_profile.ts";
import type { Tenant } from "../../db/asp/schema.ts";

/**
 * The form profile a tenant prints with.
 *
 * @example
 * ```ts ignore
 * formProfileOf(tenant).householdFormat; // "kohyo" until the registry sets one
 * ```
 */
export function formProfileOf(
  tenant: Pick<Tenant, "code"> & { formProfile?: FormProfile | null },
): FormProfile {
  return tenant.formProfile ?? DEFAULT_FORM_PROFILE;
}
