import { ConflictError, NotFoundError } from '../common/domain-errors';

export class TargetNotFoundError extends NotFoundError {
  constructor() {
    super('Target not found');
  }
}
export class TargetNameTakenError extends ConflictError {
  constructor(name: string) {
    super(`A target named "${name}" already exists`);
  }
}
export class TargetHasRunningJobsError extends ConflictError {
  constructor() {
    super('The target has running jobs; cancel them or wait for them to finish');
  }
}
