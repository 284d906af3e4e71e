import { InvalidInputError, NotFoundError } from '../common/domain-errors';

export class ScheduleNotFoundError extends NotFoundError {
  constructor() {
    super('Schedule not found');
  }
}
/** A valid expression that has no occurrence to compute in the zone (the parser gave up). */
export class CronHasNoOccurrenceError extends InvalidInputError {
  constructor() {
    super('cron has no next occurrence in this timezone');
  }
}
