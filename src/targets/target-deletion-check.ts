import type { EntityManager } from 'typeorm';

/**
 * What must hold before a target is deleted, checked by the feature that owns the rule (the job queue: no job of
 * the target runs), in the deletion's transaction after the target row is locked. Throws to refuse. The app module
 * hands the implementation to `TargetsModule.register`, so targets never import the features built on them.
 */
export abstract class TargetDeletionCheck {
  abstract beforeDelete(manager: EntityManager, targetId: string): Promise<void>;
}
