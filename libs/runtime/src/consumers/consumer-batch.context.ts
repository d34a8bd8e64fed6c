import { BaseRpcContext } from '@nestjs/microservices';

type ConsumerBatchArgs = [topic: string, partition: number, groupId: string];

/** The RPC context of a batch handler (`@Ctx()`): where the batch comes from. */
export class ConsumerBatchContext extends BaseRpcContext<ConsumerBatchArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  getGroupId(): string {
    return this.args[2];
  }
}
