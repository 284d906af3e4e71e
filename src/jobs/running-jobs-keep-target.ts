import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TargetDeletionCheck } from '../targets/target-deletion-check';
import { TargetHasRunningJobsError } from '../targets/targets.errors';
import { JobsRepository } from './jobs.repository';

/**
 * A target stays while one of its jobs runs under a live lease (an expired lease is an abandoned attempt). Every
 * `queued` or `running` job of the target is locked first: claims pick jobs with `SKIP LOCKED`, so none of them can
 * start now, and a claim already holding one makes the deletion wait for its commit and then see the job running.
 * The claim stays a one-table query; the cost is on delete, which rewrites those rows anyway.
 */
@Injectable()
export class RunningJobsKeepTarget extends TargetDeletionCheck {
  async beforeDelete(manager: EntityManager, targetId: string): Promise<void> {
    const { liveLeases } = await new JobsRepository(manager).lockOpenJobsOfTarget(targetId);
    if (liveLeases > 0) throw new TargetHasRunningJobsError();
  }
}
