/**
 * Generated registry data: a deterministic, realistic population for a
 * municipality (北九州市 401005, 福岡市 401307) and its loader.
 *
 * - {@linkcode generatePopulation}: pure generator of table rows, in chunks.
 * - {@linkcode seedRegistry}: generates and loads with COPY.
 *
 * @example
 * ```ts ignore
 * import { seedRegistry } from "./services/registry/seed/mod.ts";
 * await seedRegistry(database, { municipalityCode: "401005", residents: 300, seed: 1, skipIfSeeded: true });
 * ```
 *
 * @module
 */

export {
  checkPopulationOptions,
  DEFAULT_AS_OF,
  generatePopulation,
  generateSegment,
  type MunicipalityRow,
  municipalityRow,
  type PopulationChunk,
  type PopulationOptions,
  type ResidentHistoryRow,
  SEGMENT_SIZE,
  segmentCount,
  SHARES,
} from "./population.ts";
export {
  AlreadySeededError,
  type ChunkTable,
  COPY_TABLES,
  type CopyWriter,
  type EncodedStep,
  encodeSegment,
  openCopy,
  SEED_STEP,
  type SeedCounts,
  seedRegistry,
  type SeedRegistryOptions,
  type SeedSummary,
  type TableCopy,
} from "./seed_registry.ts";
export {
  MUNICIPALITIES,
  type MunicipalityProfile,
  municipalityProfile,
} from "./places.ts";
export { isValidMyNumber, myNumberCheckDigit } from "./numbers.ts";
export { sealImpressionPng, sealPrintPng } from "./seal_image.ts";
