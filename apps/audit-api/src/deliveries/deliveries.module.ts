import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';

/** GET /v1/deliveries and POST /v1/deliveries/:id/retry. */
@Module({ controllers: [DeliveriesController], providers: [DeliveriesRepository, DeliveriesService] })
export class DeliveriesModule {}
