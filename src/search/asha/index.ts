// The `asha` searcher's public surface: the pure rung arithmetic, the scheduler, and the searcher
// that pairs the scheduler with random or AMBS for new points.
export * from "./rungs.js";
export * from "./promoter.js";
export * from "./searcher.js";
