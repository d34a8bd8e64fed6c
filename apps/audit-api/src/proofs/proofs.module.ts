import { Module } from '@nestjs/common';
import { ProofsController } from './proofs.controller';
import { ProofsRepository } from './proofs.repository';
import { ProofsService } from './proofs.service';

/** Inclusion and consistency proofs of the tenant's Merkle tree. */
@Module({ controllers: [ProofsController], providers: [ProofsRepository, ProofsService] })
export class ProofsModule {}
