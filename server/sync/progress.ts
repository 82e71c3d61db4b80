import type { RunStep, StepStatus } from "./runs";

/**
 * Step recorder shared by every sync. Each change calls `onChange` (which persists the steps so the page can poll
 * live progress); persistence failures never break the sync itself.
 */
export class Progress {
  readonly steps: RunStep[] = [];
  private pending: Promise<void> = Promise.resolve();
  /** Called with a snapshot after every change (set once the run row exists). */
  constructor(public onChange: (steps: RunStep[]) => Promise<void> | void = () => {}) {}

  begin(name: string, message?: string): StepHandle {
    const step: RunStep = { name, status: "running", message, startedAt: new Date().toISOString() };
    this.steps.push(step);
    this.changed();
    return new StepHandle(step, () => this.changed());
  }

  /** Run fn as a step: ok when it returns (unless it set another status), failed with its message when it throws. */
  async step<T>(name: string, fn: (s: StepHandle) => Promise<T>): Promise<T> {
    const s = this.begin(name);
    try {
      const v = await fn(s);
      if (s.open) s.done("ok");
      return v;
    } catch (err) {
      if (s.open) s.done("failed", err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  changed(): void {
    const snapshot = this.steps.map((s) => ({ ...s }));
    this.pending = this.pending.then(async () => {
      try {
        await this.onChange(snapshot);
      } catch {
        /* progress persistence is best effort; the final save reports errors */
      }
    });
  }

  /** Wait for queued persistence (call before the final save so it is not overtaken). */
  flush(): Promise<void> {
    return this.pending;
  }
}

export class StepHandle {
  constructor(
    private readonly step: RunStep,
    private readonly notify: () => void,
  ) {}
  get open(): boolean {
    return this.step.status === "running";
  }
  note(message: string): void {
    this.step.message = message;
    this.notify();
  }
  done(status: Exclude<StepStatus, "running">, message?: string): void {
    this.step.status = status;
    if (message !== undefined) this.step.message = message;
    this.step.finishedAt = new Date().toISOString();
    this.notify();
  }
}
