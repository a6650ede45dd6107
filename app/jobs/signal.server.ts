// In-process wake-up for the inline worker: intake emits after committing a job, so the demo
// processes at once instead of at the next poll. Other processes simply poll.
import { EventEmitter } from "node:events";

export const jobsSignal = new EventEmitter();
jobsSignal.setMaxListeners(100);
