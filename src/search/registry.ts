// Maps a searcher name (the --searcher flag, the workflow row) to its factory and its capabilities:
// the one place that knows what each searcher does beyond ask and tell.
import { ValidationError } from "../errors.js";
import type { Space } from "../space/space.js";
import type { JsonValue, ObjectiveSpec } from "../space/types.js";
import { createAmbsSearcher } from "./ambs/index.js";
import { createAshaSearcher, type AshaSearcher } from "./asha/searcher.js";
import { loadCustomSearcher } from "./custom/load.js";
import type { CustomSearcher } from "./custom/searcher.js";
import { createGridSearcher } from "./grid.js";
import { createRandomSearcher } from "./random.js";
import { createRegevoSearcher } from "./regevo/index.js";
import { createAgeboSearcher } from "./agebo/index.js";
import type { Direction, Searcher, SearcherCapabilities, SearcherContext, SearcherFactory } from "./searcher.js";

/** A searcher as a launcher uses it, with the interfaces its capabilities call for. */
export interface LoadedSearcher {
  searcher: Searcher;
  /** Its capabilities, hearsProgress decided (a custom method's from its module). */
  capabilities: SearcherCapabilities & { hearsProgress: boolean };
  /** counts "trials": the same searcher, with the trial interface the fidelity driver steers. */
  trials: AshaSearcher | null;
  /** A custom method's runner: its stop operations and its onReport. */
  custom: CustomSearcher | null;
}

interface SearcherEntry {
  capabilities: SearcherCapabilities;
  /** Built-in searchers; a custom one is built from the user's module (src/search/custom/load.ts). */
  create?: SearcherFactory;
  load(ctx: SearcherContext): Promise<Omit<LoadedSearcher, "capabilities">>;
}

/** ask/tell only: max_evals counts rows, nothing is steered while it runs. */
const ASK_TELL: SearcherCapabilities = { counts: "evaluations", steersRunning: false, hearsProgress: false };

function builtIn(create: SearcherFactory): SearcherEntry {
  return { capabilities: ASK_TELL, create, load: async (ctx) => ({ searcher: create(ctx), trials: null, custom: null }) };
}

const SEARCHERS: Record<string, SearcherEntry> = {
  ambs: builtIn(createAmbsSearcher),
  random: builtIn(createRandomSearcher),
  grid: builtIn(createGridSearcher),
  regevo: builtIn(createRegevoSearcher),
  agebo: builtIn(createAgeboSearcher),
  asha: {
    // A promoted trial continues in a new row; its reports decide promotions and early stops.
    capabilities: { counts: "trials", steersRunning: true, hearsProgress: true },
    create: createAshaSearcher,
    load: async (ctx) => {
      const searcher = createAshaSearcher(ctx);
      return { searcher, trials: searcher, custom: null };
    },
  },
  custom: {
    // Its stop operations may come from any handler; it hears reports if it has onReport.
    capabilities: { counts: "evaluations", steersRunning: true, hearsProgress: "method" },
    load: async (ctx) => {
      const searcher = await loadCustomSearcher(ctx);
      return { searcher, trials: null, custom: searcher };
    },
  },
};

/** The built-in searchers (custom is given with --search-method). */
export const SEARCHER_NAMES = Object.keys(SEARCHERS).filter((name) => SEARCHERS[name]!.create !== undefined);

export function createSearcher(name: string, ctx: SearcherContext): Searcher {
  const create = SEARCHERS[name]?.create;
  if (!create) {
    throw new ValidationError(`unknown searcher '${name}'`, `use --searcher ${SEARCHER_NAMES.join("|")}`);
  }
  return create(ctx);
}

export function assertSearcherName(name: string): void {
  if (!SEARCHERS[name]) {
    throw new ValidationError(`--searcher: unknown searcher '${name}'`, `use one of: ${Object.keys(SEARCHERS).join(", ")}`);
  }
}

/**
 * What a workflow's searcher can do, read from its row without loading it. A name this version does
 * not know is ask/tell: the CLI and the service still show and schedule such a workflow, and its
 * launcher refuses it by name (loadSearcher).
 */
export function capabilitiesOf(wf: { searcher: string }): SearcherCapabilities {
  return SEARCHERS[wf.searcher]?.capabilities ?? ASK_TELL;
}

/** The parts of a workflow row its searcher is built from. */
export interface SearcherSpec {
  searcher: string;
  searcherOptions: Record<string, JsonValue>;
  seed: number;
  direction: Direction;
  /** The declared objectives; several make a multi-objective search. */
  objectives?: ObjectiveSpec[] | null;
}

/** Builds the searcher a workflow names, fresh (a launcher then restores its saved state). */
export async function loadSearcher(wf: SearcherSpec, space: Space): Promise<LoadedSearcher> {
  const ctx: SearcherContext = { space, seed: wf.seed, direction: wf.direction, options: wf.searcherOptions };
  if (wf.objectives && wf.objectives.length > 1) ctx.objectives = wf.objectives;
  const entry = SEARCHERS[wf.searcher];
  if (!entry) throw new ValidationError(`unknown searcher '${wf.searcher}'`, `use --searcher ${SEARCHER_NAMES.join("|")}`);
  const declared = entry.capabilities;
  const loaded = await entry.load(ctx);
  return { ...loaded, capabilities: { ...declared, hearsProgress: decideHearing(declared, loaded.custom) } };
}

/**
 * Whether running evaluations' reports go to a workflow's searcher: the rule the leader (through
 * loadSearcher) and its agents share. A custom method is asked through its module, which the agent
 * loads for that; built-in searchers say so in their declaration.
 */
export async function hearsProgress(wf: SearcherSpec, space: Space): Promise<boolean> {
  const declared = capabilitiesOf(wf);
  if (declared.hearsProgress !== "method") return declared.hearsProgress;
  return (await loadSearcher(wf, space)).capabilities.hearsProgress;
}

function decideHearing(declared: SearcherCapabilities, custom: CustomSearcher | null): boolean {
  if (declared.hearsProgress !== "method") return declared.hearsProgress;
  return custom?.hearsProgress === true;
}

/**
 * Whether `finished` evaluation rows use up a workflow's max_evals. A search that counts trials
 * knows itself when it is over: its launcher then marks the workflow FINISHED.
 */
export function budgetReached(wf: { searcher: string; maxEvals: number }, finished: number): boolean {
  return capabilitiesOf(wf).counts === "evaluations" && finished >= wf.maxEvals;
}
