// A runner from settings (the CLI's flags, a help.devices entry); bad settings are SpecErrors (bad input).
import { SpecError } from '../../spaces/space';
import { CommandRunner, TemplateError } from './command';
import { GRAPH_OPT_LEVELS, GraphOptLevel, InputShapes, OnnxRuntimeRunner } from './onnxruntime';
import type { Runner } from './runner';

export interface RunnerSpec {
  runner?: string;
  command?: string;
  threads?: number;
  graphOptimizationLevel?: string;
  timeoutS?: number;
  firstRunTimeoutS?: number;
  /** onnxruntime: shapes to feed, by input name (for inputs with open dimensions). */
  inputShapes?: InputShapes;
}

export function makeRunner(s: RunnerSpec): Runner {
  const kind = s.runner ?? 'onnxruntime';
  if (kind === 'onnxruntime') {
    if (s.command !== undefined) throw new SpecError('a command is given only with the command runner');
    if (s.timeoutS !== undefined || s.firstRunTimeoutS !== undefined) throw new SpecError('the timeouts apply to the command runner only');
    if (s.threads !== undefined && (!Number.isInteger(s.threads) || s.threads < 1 || s.threads > 256)) throw new SpecError(`threads must be an integer from 1 to 256, got ${s.threads}`);
    if (s.graphOptimizationLevel !== undefined && !(GRAPH_OPT_LEVELS as readonly string[]).includes(s.graphOptimizationLevel)) {
      throw new SpecError(`graph optimisation level must be one of ${GRAPH_OPT_LEVELS.join(', ')}, got "${s.graphOptimizationLevel}"`);
    }
    return new OnnxRuntimeRunner({ threads: s.threads, graphOptimizationLevel: s.graphOptimizationLevel as GraphOptLevel | undefined, inputShapes: s.inputShapes });
  }
  if (kind === 'command') {
    if (typeof s.command !== 'string' || s.command.trim() === '') throw new SpecError('the command runner needs a command template, e.g. "ssh pi@board ./bench --model {model}"');
    if (s.threads !== undefined || s.graphOptimizationLevel !== undefined) throw new SpecError('threads and graph optimisation apply to the onnxruntime runner only');
    try {
      return new CommandRunner({ template: s.command, timeoutS: s.timeoutS, firstRunTimeoutS: s.firstRunTimeoutS });
    } catch (e) {
      if (e instanceof TemplateError) throw new SpecError(e.message);
      throw e;
    }
  }
  throw new SpecError(`unknown runner "${kind}" (known: onnxruntime, command)`);
}
