import type { LogCheck, LogVerdict } from '@brainer/node';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

/** Exit codes past the usual ones (0 clean, 1 failure, 2 usage): what a node would make of the log. */
const EXIT_CODES: Record<LogVerdict, number> = { clean: 0, 'torn-tail': 3, damaged: 4, 'cut-short': 4, missing: 4 };

const MEANING: Record<LogVerdict, string> = {
  clean: 'clean: a node replays every record',
  'torn-tail': 'a torn last record (a crash in the middle of an append): a node cuts it off and stays whole',
  damaged: 'damaged, with good records after the damage: a node moves the file aside and starts not whole',
  'cut-short': 'cut short: the log ends before the position last synced in it; a node starts not whole',
  missing: 'missing: a node starts not whole',
};

export default class CheckLogCommand extends BaseCommand {
  static override summary =
    "Check a node's data directory: which records of its log are good, where it is damaged, what could be salvaged.";
  static override description = `Reads DIR/brainer.log (the whole file, into memory) and DIR/synced-position, and changes nothing. With --salvage OUT it also writes every good record, those after the damage included, to OUT/brainer.log, ending with a position that says not whole: a node started on OUT keeps them but takes the cluster's data from a peer before it serves. It reports the good records, each damaged stretch (byte offset, record number, good records after it), the stream position the log replays to, and what a node started on DIR would do. Exit codes: 0 clean; 3 a torn last record only (a node cuts it off and stays whole); 4 damaged, cut short or missing (a node starts not whole and takes the cluster's data from a peer); 1 the directory cannot be read or holds no Brainer log; 2 wrong usage.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/brainer/node1',
    '<%= config.bin %> <%= command.id %> /var/lib/brainer/node1 --json',
  ];
  static override args = { dir: Args.string({ description: "The node's data directory (run-node --data-dir).", required: true }) };
  static override flags = {
    json: Flags.boolean({ description: 'Print the report as one JSON object.', default: false }),
    salvage: Flags.string({
      description:
        'Write every good record, those after damage included, to a new log in this directory (created; refused if it holds a log), ending with a position that says not whole. DIR is not changed.',
      helpValue: '<out-dir>',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CheckLogCommand);
    const { checkLog, salvageLog } = await import('@brainer/node');
    const check = checkLog(args.dir);
    const salvaged = flags.salvage === undefined || check.verdict === 'missing' ? undefined : salvageLog(args.dir, flags.salvage);
    if (flags.json) this.writeLine(JSON.stringify(salvaged === undefined ? check : { ...check, salvaged }));
    else for (const line of describe(check)) this.writeLine(line);
    if (salvaged !== undefined && !flags.json) this.writeLine(`salvaged ${salvaged} records into ${flags.salvage}`);
    if (check.verdict !== 'clean') this.exit(EXIT_CODES[check.verdict]);
  }
}

function describe(check: LogCheck): string[] {
  const lines = [`${check.file}: ${MEANING[check.verdict]}`];
  if (check.verdict === 'missing') return lines;
  lines.push(`${check.bytes} bytes, format version ${check.version}, ${check.goodRecords} good records`);
  for (const damage of check.damages) {
    lines.push(
      `damage at byte ${damage.offset} (record ${damage.recordNumber}): ${damage.bytes} bytes, ${damage.reason}; ${damage.goodRecordsAfter} good records after it`,
    );
  }
  const { position, syncedPosition } = check;
  if (position)
    lines.push(
      `replays to epoch ${position.epoch} seq ${position.seq}${position.whole ? '' : ' (not whole)'}, from ${check.recordsBeforeDamage} records`,
    );
  if (syncedPosition) lines.push(`last synced: epoch ${syncedPosition.epoch} seq ${syncedPosition.seq}`);
  if (check.damages.some((damage) => damage.goodRecordsAfter > 0))
    lines.push(
      `salvageable: ${check.goodRecords} good records, ${check.goodRecords - check.recordsBeforeDamage} of them after the first damage`,
    );
  return lines;
}
