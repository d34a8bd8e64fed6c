import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { TenantsRepository } from './tenants.repository';

@Module({
  controllers: [AdminController],
  providers: [AdminService, TenantsRepository],
  exports: [TenantsRepository],
})
export class AdminModule {}
