// A work budget for one scan of one file by the spec finders. The finders are linear in the text's length;
// the budget is the backstop that keeps a file nobody foresaw from freezing the editor: past it, a finder
// stops, the caller keeps what was found so far and says so (the extension logs it, the CLI prints it).

/** Default steps per character of text (the finders spend about 1-3 per character), and the floor. */
export const STEPS_PER_CHAR = 64;
const MIN_STEPS = 1_000_000;
/** Default wall-clock limit of one scan. */
export const DEFAULT_SCAN_MS = 2000;
/** How many steps between two looks at the clock. */
const CLOCK_EVERY = 4096;

export class ScanBudget {
  private stepsLeft: number;
  private readonly deadline: number;
  private untilClock = CLOCK_EVERY;
  /** Why the scan stopped early (undefined while within the budget). */
  exceeded: string | undefined;

  constructor(
    readonly maxSteps: number,
    readonly maxMs = DEFAULT_SCAN_MS,
  ) {
    this.stepsLeft = maxSteps;
    this.deadline = Date.now() + maxMs;
  }

  /** The default budget of a text of `length` characters. */
  static forText(length: number, maxMs = DEFAULT_SCAN_MS): ScanBudget {
    return new ScanBudget(Math.max(MIN_STEPS, length * STEPS_PER_CHAR), maxMs);
  }

  /** Charges `steps` units of work; false once the budget is spent (and from then on). */
  spend(steps = 1): boolean {
    if (this.exceeded) return false;
    this.stepsLeft -= steps;
    if (this.stepsLeft < 0) {
      this.exceeded = `work budget of ${this.maxSteps} steps spent`;
      return false;
    }
    this.untilClock -= steps;
    if (this.untilClock <= 0) {
      this.untilClock = CLOCK_EVERY;
      if (Date.now() > this.deadline) {
        this.exceeded = `time budget of ${this.maxMs} ms spent`;
        return false;
      }
    }
    return true;
  }

  get ok(): boolean {
    return this.exceeded === undefined;
  }
}

/** A budget that is never spent (callers that pass none). */
export function unlimited(): ScanBudget {
  return new ScanBudget(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
}
