/**
 * `executions[].cursor` of Newman's JSON report: where each execution is in the run, as
 * postman-runtime's cursor reports it (tools group executions by `iteration` and `position`).
 */
import type { RequestCompletedEvent } from "../schemas/events";
import type { ReportItem } from "./collection-json";

/** Where an execution is in the run, as postman-runtime's cursor says it; `seq` numbers executions. */
export interface CursorFrame {
  seq: number;
  position: number;
  length: number;
  cycles: number;
}

/**
 * The cursor of each execution: its item's place in the collection (a `setNextRequest` jump included),
 * the items per iteration and the iterations (`run.started`). Without the item tree, the place within
 * its iteration.
 */
export class CursorTrack {
  readonly #positions: Map<string, number>;
  #length = 0;
  #cycles = 1;
  #seq = 0;
  #iteration = -1;
  #inIteration = 0;

  constructor(definitions: Map<string, ReportItem>) {
    this.#positions = new Map([...definitions.keys()].map((id, i) => [id, i]));
  }

  started(e: { items: number; iterations: number }): void {
    this.#length = e.items;
    this.#cycles = Math.max(1, e.iterations);
  }

  next(e: RequestCompletedEvent): CursorFrame {
    if (e.iteration !== this.#iteration) [this.#iteration, this.#inIteration] = [e.iteration, 0];
    const position = this.#positions.get(e.item.id) ?? this.#inIteration;
    this.#inIteration++;
    return { seq: this.#seq++, position, length: this.#length, cycles: this.#cycles };
  }
}
