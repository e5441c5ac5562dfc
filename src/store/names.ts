// The workflow-name rule: a name becomes a results directory and appears in batch scripts and in
// remote upload paths, so it is kept plain. Submit checks it here and --site forwarding uses the
// same test before building an upload path from it.
import { ValidationError } from "../errors.js";

const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Letters, digits, '_', '.' and '-', starting with a letter or digit, at most 100 characters. */
export function isWorkflowName(name: string): boolean {
  return WORKFLOW_NAME.test(name);
}

export function validateWorkflowName(name: string): void {
  if (!isWorkflowName(name)) {
    throw new ValidationError(`WORKFLOW '${name}' is not a valid name`, "use letters, digits, '_', '.' and '-' (starting with a letter or digit, at most 100 characters)");
  }
}
