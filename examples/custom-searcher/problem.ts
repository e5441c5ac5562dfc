// The space of the custom-searcher example: two floats and a choice.
import { Problem } from "spruce-hps";

export const problem = new Problem().float("x", -1, 1).float("y", -1, 1).categorical("shape", ["round", "square"]);
