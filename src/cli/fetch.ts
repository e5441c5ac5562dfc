// `spruce --site NAME fetch WORKFLOW [-o DIR]`: copies a workflow's results directory
// (<site workspace>/data/<workflow>/: results.csv, evals/...) from the site over SFTP. Files already
// here are overwritten, so fetching again during a search brings the newest results.
import { posix, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, ValidationError } from "../errors.js";
import type { GlobalArgs } from "./context.js";
import { info, printJson, step } from "./output.js";

interface FetchArgs extends GlobalArgs {
  workflow: string;
  output?: string;
  json?: boolean;
  site?: string;
  acceptNewHostKey?: boolean;
  connectTimeout?: number;
}

export const fetchCommand: CommandModule<GlobalArgs, FetchArgs> = {
  command: "fetch <workflow>",
  describe: "copy a workflow's results directory from a site (--site NAME) to this machine",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("output", { alias: "o", type: "string", describe: "local directory to fill (default ./<workflow>)" })
      .option("json", { type: "boolean", describe: "print {workflow, site, remote, local, files, bytes} as JSON" })
      .example("$0 --site polaris fetch mlp -o results/mlp", "") as unknown as Argv<FetchArgs>,
  handler: async (argv) => {
    if (!argv.site) throw new ValidationError("fetch copies results from a site: give --site NAME", "list the sites with 'spruce site ls'");
    if (argv.connectTimeout !== undefined && !(argv.connectTimeout > 0)) throw new ValidationError(`--connect-timeout must be a positive number of seconds (got ${argv.connectTimeout})`, "e.g. --connect-timeout 20");
    if (argv.workspace !== undefined) throw new ValidationError("--workspace cannot be combined with --site: the site's workspace is used", "drop --workspace; the site's is set by 'spruce site add NAME ... --remote-workspace DIR'");
    // ssh2 is loaded only by the commands that connect.
    const { getSite } = await import("../remote/sites.js");
    const { RemoteSession } = await import("../remote/connection.js");
    const { downloadTree, remoteHome, remoteStat, resolveRemotePath } = await import("../remote/transfer.js");
    const site = getSite(argv.site);
    const local = resolve(argv.output ?? argv.workflow);
    const session = await RemoteSession.connect(site, { acceptNewHostKey: argv.acceptNewHostKey, connectTimeoutSeconds: argv.connectTimeout });
    try {
      const sftp = await session.sftp();
      const remote = posix.join(resolveRemotePath(await remoteHome(sftp), site.workspace), "data", argv.workflow);
      if (!(await remoteStat(sftp, remote))?.isDirectory()) {
        throw new NotFoundError(`no results directory for workflow '${argv.workflow}' on ${site.name} (${remote})`, `list the site's workflows with 'spruce --site ${site.name} ls'`);
      }
      const got = await step(`Fetching ${site.name}:${remote}`, () => downloadTree(sftp, remote, local));
      if (argv.json) printJson({ workflow: argv.workflow, site: site.name, remote, local, files: got.files, bytes: got.bytes });
      else info(`Fetched ${got.files} file(s), ${got.bytes} bytes, into ${local}`);
    } finally {
      session.close();
    }
  },
};
