// Queue messages carry a `kind` so a consumer can tell what it is holding. A consumer never drops a
// message it does not understand: it retries it, and the queue moves it to the dead-letter queue.

export interface QueueMessageBase {
  kind: string;
}
