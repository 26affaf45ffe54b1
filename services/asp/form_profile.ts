/**
 * The municipality's form profile as the ASP applies it: one accessor, so
 * that every rule reads the profile the same way. The registry carries the
 * profile on its feed (`policy.formProfile`, lib/contracts/form_profile.ts)
 * onto the tenant's record as `formProfile`; a tenant that has not heard one
 * prints with the default profile.
 *
 * @module
 */
import {
  DEFAULT_FORM_PROFILE,
  type FormProfile,
} from "../../lib/contracts/form_profile.ts";
import type { Tenant } from "../../db/asp/schema.ts";

/** A tenant record that may carry the municipality's profile. */
export type WithFormProfile = Partial<Tenant> & {
  formProfile?: FormProfile | null;
};

/**
 * The tenant's form profile, or the default profile when none was heard.
 *
 * @example
 * ```ts
 * formProfileOf({}).furiganaMask; // null
 * ```
 */
export function formProfileOf(tenant: WithFormProfile): FormProfile {
  return tenant.formProfile ?? DEFAULT_FORM_PROFILE;
}
