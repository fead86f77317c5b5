// The HELP Output channel's log function. Its lines quote device names, file names, worker stderr and device
// output: escape sequences, controls and bidi characters are neutralised (newlines kept) in every line.
import { neutraliseForDisplay } from '../core/text/safeText';

export function outputLogger(channel: { appendLine(line: string): void }): (line: string) => void {
  return (line) => channel.appendLine(`[${new Date().toISOString().slice(11, 19)}] ${neutraliseForDisplay(line, true)}`);
}
