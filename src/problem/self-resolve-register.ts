// The `node --import` entry of child processes that load user modules (evaluations of a run
// module): installs the hooks that resolve `spruce-hps` to the running Spruce, before the user's
// module is imported.
import { ensureSelfResolve } from "./self-resolve.js";

ensureSelfResolve();
