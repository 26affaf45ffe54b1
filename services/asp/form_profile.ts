/**
 * The municipality's form profile as the ASP applies it
 * (lib/contracts/form_profile.ts): the one way the ASP reads it, so that
 * where the tenant record holds it is decided in one place. A tenant
 * without one (not carried yet) gets the default profile.
 *
 * @module
 */
import {
  DEFAULT_FORM_PROFILE,
  type FormProfile,
} from "../../lib/contracts/form_profile.ts";
import type { Tenant } from "../../db/asp/schema.ts";

/**
 * A tenant's directory row as far as its profile goes: `formProfile` is
 * optional until the tenant record carries it.
 */
export type TenantWithProfile = Pick<Tenant, "code"> & {
  formProfile?: FormProfile | null;
};

/**
 * The form profile of a tenant: its own, else the default.
 *
 * @example
 * ```ts ignore
 * formProfileOf(v.tenant).kisaiItems; // ["name", "birthDate", …]
 * ```
 */
export function formProfileOf(
  tenant: TenantWithProfile,
): FormProfile {
  return tenant.formProfile ?? DEFAULT_FORM_PROFILE;
}
