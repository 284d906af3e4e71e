import { Module } from '@nestjs/common';
import { InFlightRequests } from './shutdown/in-flight-requests';

/** What running the app as a service needs: the graceful drain (and the metrics endpoint). */
@Module({ providers: [InFlightRequests], exports: [InFlightRequests] })
export class OpsModule {}
