import { DynamicModule, Module, Type } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { TargetDeletionCheck } from './target-deletion-check';
import { TargetsController } from './targets.controller';
import { TargetsService } from './targets.service';

@Module({})
export class TargetsModule {
  /** `deletionCheck`: the rule a deletion must pass, from the feature that owns it (built here, without dependencies). */
  static register({ deletionCheck }: { deletionCheck: Type<TargetDeletionCheck> }): DynamicModule {
    return {
      module: TargetsModule,
      imports: [TenancyModule],
      controllers: [TargetsController],
      providers: [TargetsService, { provide: TargetDeletionCheck, useClass: deletionCheck }],
      exports: [TargetsService],
    };
  }
}
