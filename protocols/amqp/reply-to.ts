/**
 * Direct reply-to (rabbitmq.com/docs/direct-reply-to): a consumer on the pseudo queue amq.rabbitmq.reply-to gets
 * a token; a request published with reply_to=amq.rabbitmq.reply-to carries amq.rabbitmq.reply-to.<token>, and a
 * reply published to the default exchange with that routing key goes straight to the consumer, never a queue.
 */
import type { Message } from '../../src/core/message';

export interface ReplyToTarget {
  /** Delivers a reply (noAck); false when the channel is gone. */
  deliverReply(message: Message): boolean;
}

export class ReplyToRegistry {
  private readonly targets = new Map<string, ReplyToTarget>();

  register(token: string, target: ReplyToTarget): void {
    this.targets.set(token, target);
  }

  unregister(token: string): void {
    this.targets.delete(token);
  }

  lookup(token: string): ReplyToTarget | undefined {
    return this.targets.get(token);
  }

  size(): number {
    return this.targets.size;
  }
}
